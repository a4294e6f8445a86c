import { type Logger, pino } from 'pino';

export type { Logger };

/** Levels from most to least verbose; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured logs with pino: one JSON object per line, `{level, time, …fields, msg}`, the level by
 * name and the time as ISO 8601. Callers never pass a user's message text or a secret; the request
 * line (request-log.ts) is the one line per request. `write` takes the lines instead of stdout.
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    ...(write ? [{ write }] : []),
  );
}
