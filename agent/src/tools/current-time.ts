import { z } from 'zod';
import { ToolError, defineTool } from './define-tool.ts';

/**
 * The time now in an IANA time zone, written for people and models alike:
 * "Sunday, 2025-06-01 14:05:09 in Asia/Tokyo (UTC+09:00)".
 */
export function currentTime(timeZone: string, now = new Date()): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
  } catch {
    throw new ToolError(`Unknown time zone "${timeZone}": use an IANA name such as "Europe/Paris" or "Asia/Tokyo".`);
  }
  const part = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  // longOffset reads "GMT+09:00", or plain "GMT" for UTC itself.
  const offset = part.timeZoneName!.replace(/^GMT/, 'UTC') + (part.timeZoneName === 'GMT' ? '+00:00' : '');
  const zone = format.resolvedOptions().timeZone;
  return `${part.weekday}, ${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} in ${zone} (${offset})`;
}

export const currentTimeTool = defineTool(({ time_zone }) => currentTime(time_zone), {
  name: 'current_time',
  description:
    'The current date and time in a time zone. Use it whenever the user asks what time or day it is somewhere.',
  schema: z.object({
    time_zone: z.string().describe('An IANA time zone name, for example "Asia/Tokyo", "America/New_York" or "UTC"'),
  }),
});
