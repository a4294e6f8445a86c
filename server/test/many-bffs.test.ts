import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { EventSchemas } from '@ag-ui/core/schemas';
import { type BffProcess, startBffProcess } from '../../test/support/bff-process.ts';
import {
  type FakeAgentCore,
  agUiStallAfterStart,
  slowAnswer,
  stallAfterStart,
  startFakeAgentCore,
} from '../../test/support/fake-agentcore.ts';
import { ChatStream, type StreamEvent, send } from '../../test/support/http-client.ts';
import { type RedisServer, startRedis } from '../../test/support/redis-server.ts';
import { waitFor, within } from '../../test/support/wait.ts';

/**
 * Two BFF processes behind one real Redis, as behind a load balancer without sticky sessions: a run
 * started on A is read, stopped and locked from B, and what happens when A dies or Redis goes away.
 */

let redis: RedisServer;
let fake: FakeAgentCore;
let started: BffProcess[] = [];

before(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeAgentCore()]);
});
after(async () => {
  await fake.close();
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(started.map((b) => b.stop()));
  started = [];
});

async function pair(env: NodeJS.ProcessEnv = {}): Promise<[BffProcess, BffProcess]> {
  const both = await Promise.all([0, 1].map(() => startBffProcess(fake.url, { REDIS_URL: redis.url, ...env })));
  started.push(...both);
  return both as [BffProcess, BffProcess];
}

const tokens = (events: StreamEvent[]) => events.filter((e) => e.event === 'token').map((e) => e.data.delta as string);
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i + 1} `);
const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('many BFFs, one Redis', () => {
  it('a run started on A, dropped, resumes on B: no gap, no duplicate, no second upstream call', async () => {
    const [a, b] = await pair();
    const calls = fake.calls.length;
    fake.next(slowAnswer(40, 15));
    const first = new ChatStream(a.url, { message: 'Count', session_id: 'move' });
    await first.until((s) => tokens(s.events).length >= 5);
    first.close();
    const second = ChatStream.resume(b.url, first.runId, first.events.at(-1)!.id);
    await second.until((s) => tokens(s.events).length >= 5);
    second.close();
    // And back to A, from where B left it.
    const third = ChatStream.resume(a.url, first.runId, second.events.at(-1)!.id);
    await third.finished;
    const all = [...first.events, ...second.events, ...third.events];
    all.forEach((e, i) => assert.equal(e.id, `${first.runId}:${i + 1}`));
    assert.deepEqual(tokens(all), words(40));
    assert.deepEqual(all.at(-1)?.data, { status: 'complete' });
    assert.equal(fake.calls.length, calls + 1, 'one upstream invocation');
  });

  it('one run per conversation and the rate limit hold across instances', async () => {
    const [a, b] = await pair({ RATE_LIMIT_MAX: '3' });
    await redis.command('FLUSHALL'); // the counts of this address from the tests before
    fake.next(stallAfterStart);
    const busy = new ChatStream(a.url, { message: 'Think', session_id: 'shared-lock' });
    await busy.until((s) => s.has('agent_start'));
    const refused = await send(b.url, json({ message: 'And?', session_id: 'shared-lock' }));
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'session_busy');
    // The limit counts every chat request, whichever instance takes it (the refused one too: the
    // limit comes first): three so far, then a fourth is over.
    assert.equal((await send(a.url, json({ message: 'Hi', session_id: 'other-1' }))).status, 200);
    const over = await send(b.url, json({ message: 'Hi', session_id: 'other-2' }));
    assert.equal(over.status, 429);
    assert.equal(over.json.error.code, 'rate_limited');
    busy.close();
  });

  it('a cancel on B stops the run A relays within 500 ms: done cancelled for readers on both', async () => {
    const [a, b] = await pair();
    fake.next(stallAfterStart);
    const post = new ChatStream(a.url, { message: 'Think', session_id: 'cancel-from-b' });
    await post.until((s) => s.has('agent_start'));
    const call = fake.calls.at(-1)!;
    const onB = ChatStream.resume(b.url, post.runId);
    await onB.until((s) => s.has('agent_start'));
    const cancelledAt = performance.now();
    const answer = await send(b.url, { path: `/v1/chat/runs/${post.runId}/cancel` });
    assert.equal(answer.status, 202);
    const abortedAt = await within(call.aborted, "A's upstream call to be aborted");
    assert.ok(abortedAt - cancelledAt < 500, `aborted ${(abortedAt - cancelledAt).toFixed(0)} ms after the cancel`);
    await Promise.all([post.finished, onB.finished]);
    for (const s of [post, onB]) assert.deepEqual(s.events.at(-1)?.data, { status: 'cancelled' });
    // The conversation is free for the next message, on either.
    const next = new ChatStream(b.url, { message: 'Again', session_id: 'cancel-from-b' });
    await next.finished;
    assert.deepEqual(next.events.at(-1)?.data, { status: 'complete' });
  });

  it('a reader on B keeps a run going past RESUME_GRACE_MS after its POST on A is gone', async () => {
    const [a, b] = await pair({ RESUME_GRACE_MS: '300' });
    fake.next(slowAnswer(60, 20));
    const post = new ChatStream(a.url, { message: 'Count', session_id: 'watched' });
    await post.until((s) => tokens(s.events).length >= 2);
    const onB = ChatStream.resume(b.url, post.runId);
    await onB.until((s) => tokens(s.events).length >= 3);
    post.close();
    await onB.finished;
    assert.deepEqual(tokens(onB.events), words(60));
    assert.deepEqual(onB.events.at(-1)?.data, { status: 'complete' });
  });

  it('A dies (SIGKILL): readers on B get run_lost then done within ~10 s, and the conversation is free again', async () => {
    const [a, b] = await pair();
    fake.next(stallAfterStart);
    const post = new ChatStream(a.url, { message: 'Think', session_id: 'orphan' });
    await post.until((s) => s.has('agent_start'));
    const onB = ChatStream.resume(b.url, post.runId);
    await onB.until((s) => s.has('agent_start'));
    const killedAt = performance.now();
    await a.kill();
    await within(onB.finished, 'the reader on B to end', 15_000);
    const took = performance.now() - killedAt;
    console.log(`run_lost on B ${(took / 1000).toFixed(1)} s after A died`);
    assert.ok(took < 10_000, `run_lost after ${took.toFixed(0)} ms`);
    assert.deepEqual(
      onB.events.slice(-2).map((e) => [e.event, e.data]),
      [
        [
          'error',
          { code: 'run_lost', message: 'The server relaying this answer went away. Try again.', retryable: true },
        ],
        ['done', { status: 'error' }],
      ],
    );
    // A reader arriving later reads the same end.
    const late = ChatStream.resume(b.url, post.runId);
    await late.finished;
    assert.deepEqual(late.events, onB.events);
    const next = new ChatStream(b.url, { message: 'Again', session_id: 'orphan' });
    await next.finished;
    assert.equal(next.response?.statusCode, 200);
    assert.deepEqual(next.events.at(-1)?.data, { status: 'complete' });
  });

  it('an AG-UI run on A is read on B as AG-UI; A dies: B ends it with RUN_ERROR run_lost, an AG-UI client can read', async () => {
    const [a, b] = await pair();
    fake.next(agUiStallAfterStart);
    const input = {
      threadId: 'agui-orphan',
      runId: 'r1',
      messages: [{ id: 'm1', role: 'user', content: 'Think' }],
      forwardedProps: { agentChat: { resumable: true } },
    };
    const post = new ChatStream(a.url, input, {}, '/v1/agui');
    await post.until((s) => s.events.length >= 1);
    const runId = post.events[0]!.id!.split(':')[0]!;
    const onB = ChatStream.resume(b.url, runId);
    await onB.until((s) => s.events.length >= 1);
    await a.kill();
    await within(onB.finished, 'the reader on B to end', 15_000);
    assert.deepEqual(
      onB.events.map((e) => [e.id, e.event, e.data.type]),
      [
        [`${runId}:1`, 'message', 'RUN_STARTED'],
        [`${runId}:2`, 'message', 'RUN_ERROR'],
      ],
    );
    const lost = onB.events[1]!.data;
    assert.ok(EventSchemas.safeParse(lost).success, JSON.stringify(lost));
    assert.deepEqual([lost.code, lost.metadata], ['run_lost', { retryable: true }]);
  });

  it('Redis stops mid-run: the live stream completes (logged once, not per event); with Redis back, all works again', async () => {
    const [a, b] = await pair();
    fake.next(slowAnswer(60, 20));
    const post = new ChatStream(a.url, { message: 'Count', session_id: 'outage' });
    await post.until((s) => tokens(s.events).length >= 5);
    await redis.stop();
    await post.finished;
    assert.deepEqual(tokens(post.events), words(60));
    assert.deepEqual(post.events.at(-1)?.data, { status: 'complete' });
    const unavailable = a.logs.filter((l) => /^Redis unavailable/.test(l.msg));
    assert.equal(unavailable.length, 1, JSON.stringify(a.logs.map((l) => l.msg)));
    // Meanwhile a resume elsewhere says why it cannot be served; a new chat fails open and streams.
    const elsewhere = await send(b.url, { method: 'GET', path: `/v1/chat/runs/${post.runId}/events` });
    assert.equal(elsewhere.status, 503);
    assert.equal(elsewhere.json.error.code, 'resume_unavailable');
    const during = new ChatStream(a.url, { message: 'Hi', session_id: 'during' });
    await during.finished;
    assert.deepEqual(during.events.at(-1)?.data, { status: 'complete' });

    await redis.start();
    await waitFor(() => a.logs.some((l) => l.msg === 'Redis available again'), 'A to reconnect', 10_000);
    await waitFor(() => b.logs.some((l) => l.msg === 'Redis available again'), 'B to reconnect', 10_000);
    fake.next(slowAnswer(20, 15));
    const again = new ChatStream(a.url, { message: 'Count', session_id: 'after' });
    await again.until((s) => tokens(s.events).length >= 3);
    again.close();
    const resumed = ChatStream.resume(b.url, again.runId, again.events.at(-1)!.id);
    await resumed.finished;
    assert.deepEqual(tokens([...again.events, ...resumed.events]), words(20));
    fake.next(stallAfterStart);
    const busy = new ChatStream(a.url, { message: 'Think', session_id: 'locked-again' });
    await busy.until((s) => s.has('agent_start'));
    assert.equal((await send(b.url, json({ message: 'And?', session_id: 'locked-again' }))).status, 409);
    await send(b.url, { path: `/v1/chat/runs/${busy.runId}/cancel` });
    await busy.finished;
  });
});
