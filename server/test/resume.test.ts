import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Bff, startBff, withFakeBff } from '../../test/support/bff.ts';
import {
  answer,
  type FakeAgentCore,
  slowAnswer,
  stallAfterStart,
  startFakeAgentCore,
} from '../../test/support/fake-agentcore.ts';
import { ChatStream, type StreamEvent, send } from '../../test/support/http-client.ts';
import { useRedis } from '../../test/support/redis-server.ts';
import { within } from '../../test/support/wait.ts';

/**
 * A run outlives its connection, and the in-process store and the Redis one behave the same: every
 * test here runs against both (one BFF; several are in many-bffs.test.ts).
 */

const redis = useRedis();

const seqOf = (e: StreamEvent) => Number(e.id!.split(':')[1]);
const tokens = (events: StreamEvent[]) => events.filter((e) => e.event === 'token').map((e) => e.data.delta as string);
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i + 1} `);

/** Events 1..n of one run, each exactly once and in order. */
function assertWhole(events: StreamEvent[], runId: string): void {
  events.forEach((e, i) => assert.equal(e.id, `${runId}:${i + 1}`, `event ${i + 1} of ${events.length}`));
}

for (const kind of ['in process', 'Redis'] as const) {
  /** A fake AgentCore and a BFF with this store, for one test. */
  const withBff = (env: NodeJS.ProcessEnv, test: (fake: FakeAgentCore, bff: Bff) => Promise<void>) =>
    withFakeBff({ ...(kind === 'Redis' ? { REDIS_URL: redis.url } : {}), ...env }, test);

  describe(`a run outlives its connection (${kind})`, () => {
    it('a dropped stream resumes where it left off: nothing twice, nothing missing, the agent called once', async () => {
      await withBff({}, async (fake, bff) => {
        fake.next(slowAnswer(30, 15));
        const first = new ChatStream(bff.url, { message: 'Count', session_id: 'drop' });
        await first.until((s) => tokens(s.events).length >= 5);
        first.close();
        await first.finished;
        const { runId } = first;
        const resumed = ChatStream.resume(bff.url, runId, first.events.at(-1)!.id);
        await resumed.finished;
        const all = [...first.events, ...resumed.events];
        assertWhole(all, runId);
        assert.deepEqual(tokens(all), words(30));
        assert.deepEqual(all.at(-1)?.data, { status: 'complete' });
        assert.equal(fake.calls.length, 1, 'no second upstream invocation');

        // A finished run reads again, from anywhere: ?after=, or from the start.
        const fromThree = new ChatStream(bff.url, undefined, {}, `/v1/chat/runs/${runId}/events?after=3`);
        await fromThree.finished;
        assert.deepEqual(fromThree.events, all.slice(3));
        // From its last event (a client that reconnects after done): nothing more, and the stream ends.
        const atEnd = ChatStream.resume(bff.url, runId, all.at(-1)!.id);
        await within(atEnd.finished, 'a resume from the last event to end', 5000);
        assert.deepEqual(atEnd.events, []);
        const whole = ChatStream.resume(bff.url, runId);
        await whole.finished;
        assert.deepEqual(whole.events, all);
        // Last-Event-ID wins over ?after= (an EventSource reconnecting sends both).
        const both = new ChatStream(
          bff.url,
          undefined,
          { 'last-event-id': `${runId}:10` },
          `/v1/chat/runs/${runId}/events?after=3`,
        );
        await both.finished;
        assert.equal(seqOf(both.events[0]!), 11);
        assert.equal(both.response?.headers['content-type'], 'text/event-stream; charset=utf-8');
      });
    });

    it('any number of readers at once, each from where it is, each to the end', async () => {
      await withBff({}, async (fake, bff) => {
        fake.next(slowAnswer(40, 10));
        const post = new ChatStream(bff.url, { message: 'Count', session_id: 'many' });
        await post.until((s) => tokens(s.events).length >= 3);
        const { runId } = post;
        const readers = [ChatStream.resume(bff.url, runId), ChatStream.resume(bff.url, runId, `${runId}:2`)];
        await Promise.all([post.finished, ...readers.map((r) => r.finished)]);
        assertWhole(post.events, runId);
        assert.deepEqual(readers[0]!.events, post.events);
        assert.deepEqual(readers[1]!.events, post.events.slice(2));
      });
    });

    it('a reader that does not return: the run goes on for RESUME_GRACE_MS, then ends with done cancelled', async () => {
      await withBff({ RESUME_GRACE_MS: '400' }, async (fake, bff) => {
        fake.next(stallAfterStart, slowAnswer(20, 50));
        const left = new ChatStream(bff.url, { message: 'Think', session_id: 'grace' });
        await left.until((s) => s.has('agent_start'));
        left.close();
        const closedAt = performance.now();
        const abortedAt = await within(fake.calls[0]!.aborted, 'the run to be stopped', 5000);
        assert.ok(abortedAt - closedAt >= 350, `stopped ${(abortedAt - closedAt).toFixed(0)} ms after the reader left`);
        const late = ChatStream.resume(bff.url, left.runId, left.events.at(-1)!.id);
        await late.finished;
        assert.deepEqual(
          late.events.map((e) => [e.event, e.data]),
          [['done', { status: 'cancelled' }]],
        );

        // One that comes back in time keeps it going, to the end.
        const back = new ChatStream(bff.url, { message: 'Count', session_id: 'grace-2' });
        await back.until((s) => tokens(s.events).length >= 2);
        back.close();
        await new Promise((r) => setTimeout(r, 200));
        const again = ChatStream.resume(bff.url, back.runId, back.events.at(-1)!.id);
        await again.finished;
        assert.deepEqual(tokens([...back.events, ...again.events]), words(20));
        assert.deepEqual(again.events.at(-1)?.data, { status: 'complete' });
      });
    });

    it('the conversation is free the moment done arrives: a next message sent at once is never refused (409)', async () => {
      await withBff({}, async (fake, bff) => {
        for (let turn = 1; turn <= 20; turn++) {
          fake.next(answer(`Answer ${turn}.`));
          const post = new ChatStream(bff.url, { message: `Question ${turn}`, session_id: 'at-once' });
          await post.until((s) => s.has('done') || (s.response !== undefined && s.response.statusCode !== 200));
          assert.equal(post.response?.statusCode, 200, `turn ${turn}: ${post.raw}`);
        }
        assert.equal(fake.calls.length, 20);
      });
    });

    it('cancel: 202, every reader gets done cancelled, the upstream call is aborted; 202 finished once over, 404 when unknown', async () => {
      await withBff({}, async (fake, bff) => {
        fake.next(stallAfterStart);
        const post = new ChatStream(bff.url, { message: 'Think', session_id: 'stop' });
        await post.until((s) => s.has('agent_start'));
        const other = ChatStream.resume(bff.url, post.runId);
        await other.until((s) => s.has('agent_start'));
        const path = `/v1/chat/runs/${post.runId}/cancel`;
        const cancelledAt = performance.now();
        const answer = await send(bff.url, { path, headers: { origin: bff.config.publicOrigins[0] ?? '' } });
        assert.equal(answer.status, 202);
        assert.deepEqual(answer.json, { run_id: post.runId, status: 'cancelling' });
        const abortedAt = await within(fake.calls[0]!.aborted, 'the upstream call to be aborted');
        assert.ok(abortedAt - cancelledAt < 500, `aborted ${(abortedAt - cancelledAt).toFixed(0)} ms after the cancel`);
        await Promise.all([post.finished, other.finished]);
        for (const s of [post, other])
          assert.deepEqual(s.events.at(-1), { id: `${post.runId}:3`, event: 'done', data: { status: 'cancelled' } });
        assert.deepEqual((await send(bff.url, { path })).json, { run_id: post.runId, status: 'finished' });
        // The conversation is free again.
        const next = new ChatStream(bff.url, { message: 'Again', session_id: 'stop' });
        await next.finished;
        assert.deepEqual(next.events.at(-1)?.data, { status: 'complete' });
      });
    });

    it('answers 404 for a run it does not have, 400 for a resume point that is not one, 405 for other methods', async () => {
      await withBff({}, async (_fake, bff) => {
        const run = new ChatStream(bff.url, { message: 'Hi', session_id: 'ids' });
        await run.finished;
        const { runId } = run;
        const notFound = {
          error: {
            code: 'run_not_found',
            message: 'This answer is no longer available: it finished too long ago, or never existed.',
          },
        };
        for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-a-run', '..%2F..%2Fhealth', `${runId}x`]) {
          const read = await send(bff.url, { method: 'GET', path: `/v1/chat/runs/${id}/events` });
          assert.equal(read.status, 404, id);
          assert.deepEqual(read.json, notFound);
          assert.equal((await send(bff.url, { path: `/v1/chat/runs/${id}/cancel` })).status, 404, id);
        }
        for (const [header, query] of [
          [`${runId}:x`, ''],
          ['AAAAAAAAAAAAAAAAAAAAAA:3', ''],
          [`${runId}`, ''],
          [`${runId}:1234567890123456`, ''],
          ['', '?after=-1'],
          ['', '?after=1e3'],
          ['', '?after=1&after=2'],
        ]) {
          const read = await send(bff.url, {
            method: 'GET',
            path: `/v1/chat/runs/${runId}/events${query}`,
            headers: header ? { 'last-event-id': header } : {},
          });
          assert.equal(read.status, 400, `${header} ${query}`);
          assert.equal(read.json.error.code, 'invalid_event_id');
        }
        const wrong = await send(bff.url, { method: 'POST', path: `/v1/chat/runs/${runId}/events` });
        assert.equal(wrong.status, 405);
        assert.equal(wrong.headers.allow, 'GET, OPTIONS');
        assert.equal(
          (await send(bff.url, { method: 'GET', path: `/v1/chat/runs/${runId}/cancel` })).headers.allow,
          'POST, OPTIONS',
        );
        const notStream = await send(bff.url, {
          method: 'GET',
          path: `/v1/chat/runs/${runId}/events`,
          headers: { accept: 'application/json' },
        });
        assert.equal(notStream.status, 406);
      });
    });

    it('keeps a finished run for RUN_RETENTION_MS, then forgets it', async () => {
      await withBff({ RUN_RETENTION_MS: '300' }, async (_fake, bff) => {
        const run = new ChatStream(bff.url, { message: 'Hi', session_id: 'kept' });
        await run.finished;
        const path = `/v1/chat/runs/${run.runId}/events`;
        assert.equal((await send(bff.url, { method: 'GET', path })).status, 200);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal((await send(bff.url, { method: 'GET', path })).status, 404);
      });
    });

    it('fails a run that grows past MAX_RUN_BYTES with run_too_large, for every reader', async () => {
      await withBff({ MAX_RUN_BYTES: '65536' }, async (fake, bff) => {
        fake.next(slowAnswer(100_000, 0));
        const post = new ChatStream(bff.url, { message: 'Talk', session_id: 'big' });
        await post.finished;
        await within(fake.calls[0]!.aborted, 'the upstream call to be aborted');
        assert.deepEqual(post.events.at(-2)?.data.code, 'run_too_large');
        const again = ChatStream.resume(bff.url, post.runId);
        await again.finished;
        assert.deepEqual(again.events, post.events);
        const size = post.raw.length;
        assert.ok(size <= 65536 + 512, `${size} bytes`);
      });
    });
  });
}

describe('the run endpoints have the POST guards', () => {
  it('CORS (exact origins, 403 otherwise, preflights), no-store, security headers, the rate limit', async () => {
    const fake = await startFakeAgentCore();
    const bff = await startBff(fake.url, { ALLOWED_ORIGINS: 'https://shop.example', RATE_LIMIT_MAX: '3' });
    try {
      const run = new ChatStream(bff.url, { message: 'Hi', session_id: 'guards' });
      await run.finished;
      const path = `/v1/chat/runs/${run.runId}/events`;
      const preflight = await send(bff.url, {
        method: 'OPTIONS',
        path,
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'last-event-id, authorization',
        },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://shop.example');
      assert.match(String(preflight.headers['access-control-allow-methods']), /GET/);
      assert.equal(preflight.headers['access-control-allow-headers'], 'last-event-id, authorization');
      const read = await send(bff.url, { method: 'GET', path, headers: { origin: 'https://shop.example' } });
      assert.equal(read.status, 200);
      assert.equal(read.headers['access-control-allow-origin'], 'https://shop.example');
      assert.equal(read.headers['cache-control'], 'no-cache, no-transform');
      assert.equal(read.headers['x-content-type-options'], 'nosniff');
      const refused = await send(bff.url, {
        path: `/v1/chat/runs/${run.runId}/cancel`,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.json.error.code, 'origin_not_allowed');
      assert.equal(refused.headers['cache-control'], 'no-store');
      // Three requests per window on the run endpoints (their own count, apart from the POST's).
      for (let i = 0; i < 2; i++) assert.equal((await send(bff.url, { method: 'GET', path })).status, 200);
      const limited = await send(bff.url, { path: `/v1/chat/runs/${run.runId}/cancel` });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.error.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
    } finally {
      await bff.close();
      await fake.close();
    }
  });

  it('in process: keeps at most MAX_RETAINED_RUNS finished runs, the oldest forgotten first', async () => {
    const fake = await startFakeAgentCore();
    const bff = await startBff(fake.url, { MAX_RETAINED_RUNS: '1' });
    try {
      const runs = [];
      for (const session_id of ['first', 'second']) {
        const run = new ChatStream(bff.url, { message: 'Hi', session_id });
        await run.finished;
        runs.push(run.runId);
      }
      const status = async (id: string) =>
        (await send(bff.url, { method: 'GET', path: `/v1/chat/runs/${id}/events` })).status;
      assert.equal(await status(runs[0]!), 404);
      assert.equal(await status(runs[1]!), 200);
    } finally {
      await bff.close();
      await fake.close();
    }
  });
});
