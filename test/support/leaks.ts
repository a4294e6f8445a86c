import assert from 'node:assert/strict';
import { runtimeSessionId } from '../../server/src/session-id.ts';
import { TEST_CREDENTIALS } from './bff.ts';

/**
 * Asserts that bytes sent to a browser carry none of the upstream's internals: no ARN, account
 * id, AWS request id, credential, stack trace or runtime session id.
 */
export function assertNoInternals(raw: string, browserSessionIds: string[] = []): void {
  const forbidden = [
    'arn:',
    '123456789012',
    '1f2e3d4c-0000-4bad-beef-001122334455',
    TEST_CREDENTIALS.accessKeyId,
    TEST_CREDENTIALS.secretAccessKey,
    'test-secret',
    ...browserSessionIds.map((id) => runtimeSessionId('test-secret', id)),
  ];
  for (const text of forbidden) assert.ok(!raw.includes(text), `the browser was sent ${JSON.stringify(text)}:\n${raw}`);
  assert.doesNotMatch(raw, /\n\s+at .+:\d+:\d+/, 'the browser was sent a stack trace');
}
