import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunAgentInput } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import type { AgentChatForwardedProps } from '../../protocol/ag-ui.ts';
import { type Bff, withFakeBff } from '../../test/support/bff.ts';
import { type FakeAgentCore, agUiSlowAnswer, agUiStallAfterStart } from '../../test/support/fake-agentcore.ts';
import { ChatStream, type StreamEvent, send } from '../../test/support/http-client.ts';
import { useRedis } from '../../test/support/redis-server.ts';
import { waitFor, within } from '../../test/support/wait.ts';

/**
 * `POST /v1/agui` runs are kept in the run store like the chat route's: read on with
 * `GET /v1/chat/runs/{id}/events`, stopped with `…/cancel`, in process and in Redis alike. A client
 * that asks (`forwardedProps.agentChat.resumable`) keeps its run through a dropped connection; any
 * other stops it by hanging up, as AG-UI clients expect.
 */

const redis = useRedis();

const RESUMABLE: AgentChatForwardedProps = { agentChat: { resumable: true } };

function input(threadId: string, forwardedProps: AgentChatForwardedProps = {}): RunAgentInput {
  return {
    threadId,
    runId: `run-of-${threadId}`,
    messages: [{ id: 'm1', role: 'user', content: 'Count' }],
    tools: [],
    context: [],
    state: {},
    forwardedProps,
  };
}

const agUi = (bff: Bff, body: RunAgentInput) => new ChatStream(bff.url, body, {}, '/v1/agui');
/** The BFF's run id, first in every event's SSE id. */
const runIdOf = (s: ChatStream) => s.events[0]!.id!.split(':')[0]!;
const deltas = (events: StreamEvent[]) =>
  events.filter((e) => e.data.type === 'TEXT_MESSAGE_CONTENT').map((e) => e.data.delta as string);
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i + 1} `);

/** Every event is a valid AG-UI event, and the run's last is RUN_FINISHED with the `cancelled` outcome for `threadId`. */
function assertCancelled(events: StreamEvent[], threadId: string): void {
  for (const { data } of events) assert.ok(EventSchemas.safeParse(data).success, JSON.stringify(data));
  const { timestamp: _, ...last } = events.at(-1)!.data;
  assert.deepEqual(last, {
    type: 'RUN_FINISHED',
    threadId,
    runId: `run-of-${threadId}`,
    outcome: { type: 'cancelled' },
  });
}

for (const kind of ['in process', 'Redis'] as const) {
  const withBff = (test: (fake: FakeAgentCore, bff: Bff) => Promise<void>) =>
    withFakeBff(kind === 'Redis' ? { REDIS_URL: redis.url } : {}, test);

  describe(`POST /v1/agui runs in the run store (${kind})`, () => {
    it('a resumable run goes on through a dropped stream, read on with Last-Event-ID: nothing twice, nothing missing, one upstream call', async () => {
      await withBff(async (fake, bff) => {
        fake.next(agUiSlowAnswer(30, 15));
        const first = agUi(bff, input('drop', RESUMABLE));
        await first.until((s) => deltas(s.events).length >= 5);
        first.close();
        await first.finished;
        const runId = runIdOf(first);
        assert.match(runId, /^[\w-]{22}$/);
        const resumed = ChatStream.resume(bff.url, runId, first.events.at(-1)!.id);
        await resumed.finished;
        const all = [...first.events, ...resumed.events];
        all.forEach((e, i) => assert.equal(e.id, `${runId}:${i + 1}`));
        assert.ok(
          all.every((e) => e.event === 'message'),
          'AG-UI frames, data lines only, on the resume too',
        );
        assert.deepEqual(deltas(all), words(30));
        assert.equal(all.at(-1)!.data.type, 'RUN_FINISHED');
        assert.equal(fake.calls.length, 1, 'no second upstream invocation');
      });
    });

    it('cancel: 202, every reader ends with RUN_FINISHED and outcome cancelled, the upstream call is aborted, the thread is free', async () => {
      await withBff(async (fake, bff) => {
        fake.next(agUiStallAfterStart);
        const post = agUi(bff, input('stop', RESUMABLE));
        await post.until((s) => s.events.length >= 1);
        const runId = runIdOf(post);
        const other = ChatStream.resume(bff.url, runId);
        await other.until((s) => s.events.length >= 1);
        const cancelledAt = performance.now();
        const answer = await send(bff.url, { path: `/v1/chat/runs/${runId}/cancel` });
        assert.equal(answer.status, 202);
        assert.deepEqual(answer.json, { run_id: runId, status: 'cancelling' });
        const abortedAt = await within(fake.calls[0]!.aborted, 'the upstream call to be aborted');
        assert.ok(abortedAt - cancelledAt < 500, `aborted ${(abortedAt - cancelledAt).toFixed(0)} ms after the cancel`);
        await Promise.all([post.finished, other.finished]);
        assertCancelled(post.events, 'stop');
        assert.deepEqual(other.events, post.events);
        const logged = () => bff.logs.filter((l) => l.msg === 'request' && l.run_id === runId);
        await waitFor(() => logged().length === 3, 'the POST, the GET and the cancel in the log');
        assert.deepEqual(
          logged()
            .map(({ path, outcome }) => `${path} ${outcome}`)
            .sort(),
          [`/v1/agui cancelled`, `/v1/chat/runs/${runId}/cancel ok`, `/v1/chat/runs/${runId}/events cancelled`],
        );

        fake.next(agUiSlowAnswer(2, 0));
        const next = agUi(bff, input('stop'));
        await next.finished;
        assert.equal(next.response?.statusCode, 200);
        assert.equal(next.events.at(-1)!.data.type, 'RUN_FINISHED');
      });
    });

    it('not resumable: hanging up stops the run at once (what HttpAgent.abortRun means), which still reads back as cancelled', async () => {
      await withBff(async (fake, bff) => {
        fake.next(agUiStallAfterStart);
        const post = agUi(bff, input('hang-up'));
        await post.until((s) => s.events.length >= 1);
        const closedAt = performance.now();
        post.close();
        const abortedAt = await within(fake.calls[0]!.aborted, 'the upstream call to be aborted');
        assert.ok(abortedAt - closedAt < 500, `aborted ${(abortedAt - closedAt).toFixed(0)} ms after the hang-up`);
        const after = ChatStream.resume(bff.url, runIdOf(post));
        await after.finished;
        assertCancelled(after.events, 'hang-up');
        assert.equal(after.events[0]!.data.type, 'RUN_STARTED');
      });
    });
  });
}
