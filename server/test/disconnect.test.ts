import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useFakeBff } from '../../test/support/bff.ts';
import { type Script, flood, stallAfterStart, stallBeforeHeaders } from '../../test/support/fake-agentcore.ts';
import { ChatStream } from '../../test/support/http-client.ts';
import { waitFor, within } from '../../test/support/wait.ts';

/**
 * With RESUME_GRACE_MS=0, when the browser goes away the AgentCore call is aborted at once —
 * whatever the BFF is waiting for at that moment — so the agent stops spending. The fake endpoint
 * notes when its request was torn down; the limit is the 100 ms. (With a grace period, the
 * run goes on for a resume: resume.test.ts.)
 */
describe('RESUME_GRACE_MS=0, the browser goes away: the upstream call is aborted at once', () => {
  const suite = useFakeBff({ RESUME_GRACE_MS: '0' });

  const moments: [name: string, script: Script, ready: (s: ChatStream) => boolean][] = [
    ['before AgentCore has answered the headers', stallBeforeHeaders, (s) => s.has('start')],
    ['while the agent is quiet mid-stream', stallAfterStart, (s) => s.has('agent_start')],
    ['while tokens are flowing', flood(64, 2), (s) => s.events.filter((e) => e.event === 'token').length >= 20],
  ];
  for (const [name, script, ready] of moments) {
    for (const how of ['fin', 'rst'] as const) {
      it(`${name} (connection closed with ${how.toUpperCase()})`, async () => {
        const callsBefore = suite.fake.calls.length;
        suite.fake.next(script);
        const sessionId = `gone-${how}-${callsBefore}`;
        const stream = new ChatStream(suite.bff.url, { message: 'Hello', session_id: sessionId });
        await stream.until(ready);
        await waitFor(() => suite.fake.calls.length > callsBefore, 'the upstream call');
        const call = suite.fake.calls.at(-1)!;

        const closedAt = performance.now();
        stream.close(how);
        const abortedAt = await within(call.aborted, 'the upstream call to be aborted');
        assert.ok(
          abortedAt - closedAt < 100,
          `upstream aborted ${(abortedAt - closedAt).toFixed(1)} ms after the browser left`,
        );

        await suite.fake.settled();
        const line = suite.bff.logs.find((l) => l.request_id === stream.response?.headers['x-request-id']);
        assert.equal(line?.outcome, 'cancelled');
        // The session is free again and the BFF answers it normally.
        const next = new ChatStream(suite.bff.url, { message: 'Hello again', session_id: sessionId });
        await next.finished;
        assert.deepEqual(next.events.at(-1)?.data, { status: 'complete' });
        assert.equal(suite.bff.runs.size, 0);
      });
    }
  }
});
