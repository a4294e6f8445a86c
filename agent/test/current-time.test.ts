import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentTime, currentTimeTool } from '../src/tools/current-time.ts';

/** "Sunday, 2025-06-01 14:05:09 in Asia/Tokyo (UTC+09:00)" → the instant it names. */
function instantOf(text: string): number {
  const m = /^\w+, (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) in \S+ \(UTC([+-]\d\d:\d\d)\)$/.exec(text);
  assert.ok(m, `"${text}" has the documented shape`);
  return Date.parse(`${m[1]}T${m[2]}${m[3]}`);
}

describe('current_time', () => {
  const june = new Date('2025-06-01T05:05:09Z');

  it('tells the time in an IANA zone, with weekday and offset', () => {
    assert.equal(currentTime('Asia/Tokyo', june), 'Sunday, 2025-06-01 14:05:09 in Asia/Tokyo (UTC+09:00)');
    assert.equal(currentTime('America/New_York', june), 'Sunday, 2025-06-01 01:05:09 in America/New_York (UTC-04:00)');
    assert.equal(currentTime('UTC', june), 'Sunday, 2025-06-01 05:05:09 in UTC (UTC+00:00)');
  });

  it('follows daylight saving time', () => {
    assert.match(
      currentTime('Europe/Paris', new Date('2025-01-15T12:00:00Z')),
      /13:00:00 in Europe\/Paris \(UTC\+01:00\)$/,
    );
    assert.match(currentTime('Europe/Paris', june), /\(UTC\+02:00\)$/);
  });

  it('names the zone canonically, whatever its case', () => {
    assert.match(currentTime('asia/tokyo', june), / in Asia\/Tokyo /);
  });

  it('refuses an unknown zone with a message saying what to use', () => {
    assert.throws(() => currentTime('Atlantis/Capital'), {
      name: 'ToolError',
      message: 'Unknown time zone "Atlantis/Capital": use an IANA name such as "Europe/Paris" or "Asia/Tokyo".',
    });
  });

  it('is a LangChain tool named current_time that tells the time now', async () => {
    assert.equal(currentTimeTool.name, 'current_time');
    const now = Date.now();
    const answer = await currentTimeTool.invoke({ time_zone: 'Australia/Adelaide' });
    assert.ok(Math.abs(instantOf(answer) - now) < 60_000, `${answer} is now`);
  });
});
