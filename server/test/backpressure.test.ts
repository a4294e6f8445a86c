import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFakeBff } from '../../test/support/bff.ts';
import { flood } from '../../test/support/fake-agentcore.ts';
import { ChatStream } from '../../test/support/http-client.ts';
import { within } from '../../test/support/wait.ts';

describe('a browser that reads slowly or not at all', () => {
  it("holds next to nothing for it: the run's frames wait in the run (at most MAX_RUN_BYTES), and it gets every one, in order", async () => {
    await withFakeBff({ MAX_RUN_BYTES: String(2 * 2 ** 20) }, async (fake, bff) => {
      fake.next(flood(1024));
      const stream = new ChatStream(bff.url, { message: 'Talk a lot', session_id: 'slow-reader' });
      await stream.until((s) => s.events.length >= 50);
      stream.pause();
      const call = fake.calls.at(-1)!;
      const res = bff.responses.at(-1)!;

      // The agent is not held back by the reader: it fills the run, which then fails as too large.
      await within(call.aborted, 'the run to reach MAX_RUN_BYTES and its upstream call to be aborted');
      console.log(
        `upstream stopped after ${(call.bytesWritten / 2 ** 20).toFixed(1)} MiB; the BFF holds ${res.writableLength} bytes for the browser`,
      );
      // At most one batch beyond the socket's high-water mark: a reader that is not ready is skipped.
      assert.ok(res.writableLength <= 128 * 1024, `the BFF buffers ${res.writableLength} bytes for the browser`);

      // Reading again, the stream goes on exactly where it was: every event, in order, then why it ended.
      stream.resume();
      await stream.finished;
      const runId = stream.events[0]!.data.run_id;
      stream.events.forEach((e, i) => assert.equal(e.id, `${runId}:${i + 1}`));
      assert.deepEqual(
        stream.events.slice(-2).map((e) => e.data),
        [
          { code: 'run_too_large', message: 'The answer grew too long and was stopped.', retryable: false },
          { status: 'error' },
        ],
      );
      const bytes = stream.events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.data)), 0);
      assert.ok(bytes <= 2 * 2 ** 20, `${bytes} bytes of events`);
      await fake.settled();
      assert.equal(bff.runs.size, 0);
    });
  });

  it('cuts off a browser that takes nothing for STREAM_IDLE_TIMEOUT_MS, and (RESUME_GRACE_MS=0) its upstream call with it', async () => {
    const noGrace = { RESUME_GRACE_MS: '0', MAX_RUN_BYTES: String(2 ** 30) };
    await withFakeBff({ STREAM_IDLE_TIMEOUT_MS: '1000', HEARTBEAT_MS: '100', ...noGrace }, async (fake, bff) => {
      fake.next(flood(1024));
      const stream = new ChatStream(bff.url, { message: 'Talk a lot', session_id: 'stalled-reader' });
      await stream.until((s) => s.events.length >= 10);
      stream.pause();
      const call = fake.calls.at(-1)!;
      await within(call.aborted, 'the upstream call to be aborted');
      // Reading again, the browser finds its connection was cut (a stalled reader is not sent done).
      stream.resume();
      await stream.finished;
      assert.equal(stream.response?.complete, false);
      await fake.settled();
      // Waiting on the browser is not the agent's silence: cancelled, not upstream_timeout.
      const line = bff.logs.find((l) => l.request_id === stream.response?.headers['x-request-id']);
      assert.equal(line?.outcome, 'cancelled');
      assert.equal(bff.runs.size, 0);
    });
  });
});
