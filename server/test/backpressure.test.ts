import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFakeBff } from '../../test/support/bff.ts';
import { flood } from '../../test/support/fake-agentcore.ts';
import { ChatStream } from '../../test/support/http-client.ts';
import { within } from '../../test/support/wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a browser that reads slowly or not at all', () => {
  it("backpressures the agent: the BFF's buffer stays small while upstream keeps producing, and nothing is lost", async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(flood(1024));
      const stream = new ChatStream(bff.url, { message: 'Talk a lot', session_id: 'slow-reader' });
      await stream.until((s) => s.events.length >= 50);
      stream.pause();
      const call = fake.calls.at(-1)!;
      const res = bff.responses.at(-1)!;

      // The agent keeps producing until every buffer on the path is full, then it is held back.
      let written = -1;
      for (let i = 0; call.bytesWritten !== written; i++) {
        assert.ok(i < 100, 'upstream never stopped: the BFF keeps reading and buffering');
        written = call.bytesWritten;
        await sleep(300);
      }
      const held = written - stream.raw.length;
      console.log(
        `upstream held back after ${(written / 2 ** 20).toFixed(1)} MiB; ${(held / 2 ** 20).toFixed(1)} MiB in flight; the BFF holds ${res.writableLength} bytes for the browser`,
      );
      // At most one upstream read's worth of events (≤ 64 KiB, a little more as SSE frames) beyond
      // the socket's high-water mark: the BFF writes each upstream chunk's events at once, then waits.
      assert.ok(res.writableLength <= 128 * 1024, `the BFF buffers ${res.writableLength} bytes for the browser`);
      assert.ok(held < 32 * 2 ** 20, `${held} bytes between the agent and the browser`);

      // Reading again, the stream goes on exactly where it was: every event, in order.
      const seen = stream.events.length;
      stream.resume();
      await stream.until((s) => s.events.length >= seen + 2000);
      const runId = stream.events[0]!.id!.split(':')[0];
      stream.events.forEach((e, i) => assert.equal(e.id, `${runId}:${i + 1}`));

      stream.close();
      await within(call.aborted, 'the upstream call to be aborted');
      await fake.settled();
    });
  });

  it('cuts off a browser that takes nothing for STREAM_IDLE_TIMEOUT_MS, and its upstream call with it', async () => {
    await withFakeBff({ STREAM_IDLE_TIMEOUT_MS: '1000', HEARTBEAT_MS: '100' }, async (fake, bff) => {
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
