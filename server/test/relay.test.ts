import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import type { SseMessage } from '../../protocol/sse.ts';
import { RunStopped, relay } from '../src/relay.ts';

/** Agent events as the upstream SSE messages they arrive as. */
const asMessages = (events: readonly AgentEvent[]): SseMessage[] =>
  events.map(({ event, data }) => ({ event, data: JSON.stringify(data) }));

const t = '2026-01-01T00:00:00.000Z';

/** Runs the relay on agent events, one per upstream batch; returns the browser events in order. */
async function run(events: AgentEvent[] | (() => AsyncIterable<AgentEvent>)): Promise<ChatEvent[]> {
  const each =
    typeof events === 'function'
      ? events
      : async function* () {
          yield* events;
        };
  const source = async function* () {
    for await (const e of each()) yield asMessages([e]);
  };
  const out: ChatEvent[] = [];
  for await (const batch of relay(source, 'browser-session', 'run-1')) out.push(...batch);
  return out;
}

describe("the relay: one run's browser stream", () => {
  it('never shows the browser the runtime session id', async () => {
    const out = await run([
      { event: 'AGENT_START', data: { timestamp: t, session_id: 'hmac-derived-runtime-id' } },
      { event: 'AGENT_END', data: { timestamp: t, output: '' } },
    ]);
    assert.ok(!JSON.stringify(out).includes('hmac-derived-runtime-id'));
  });

  it('opens with start and closes with done: complete', async () => {
    const out = await run([
      { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } },
      { event: 'LLM_TOKEN', data: { timestamp: t, delta: 'Hi' } },
      { event: 'LLM_RESPONSE', data: { timestamp: t, content: 'Hi' } },
      { event: 'AGENT_END', data: { timestamp: t, output: 'Hi' } },
    ]);
    assert.deepEqual(
      out.map((e) => e.event),
      ['start', 'agent_start', 'token', 'message', 'done'],
    );
    assert.deepEqual(out[0]!.data, { session_id: 'browser-session', run_id: 'run-1' });
    assert.deepEqual(out.at(-1)!.data, { status: 'complete' });
  });

  it('ends with done: error after an AGENT_ERROR', async () => {
    const out = await run([
      { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } },
      {
        event: 'AGENT_ERROR',
        data: { timestamp: t, code: 'agent_error', message: 'The agent failed while answering.' },
      },
      { event: 'AGENT_END', data: { timestamp: t, output: '' } },
    ]);
    assert.deepEqual(
      out.map((e) => e.event),
      ['start', 'agent_start', 'error', 'done'],
    );
    assert.deepEqual(out.at(-1)!.data, { status: 'error' });
  });

  it('turns an upstream failure into error + done with no internals', async () => {
    const out = await run(async function* () {
      yield { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } } as AgentEvent;
      throw Object.assign(new Error('User: arn:aws:iam::123456789012:role/x is not authorized'), {
        name: 'AccessDeniedException',
      });
    });
    assert.deepEqual(
      out.map((e) => e.event),
      ['start', 'agent_start', 'error', 'done'],
    );
    assert.equal((out[2]!.data as { code: string }).code, 'upstream_denied');
    assert.ok(!JSON.stringify(out).includes('123456789012'));
  });

  it('maps a batch of events in order and stops reading at AGENT_END', async () => {
    const out: ChatEvent[][] = [];
    const source = async function* () {
      yield asMessages([
        { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } },
        { event: 'LLM_TOKEN', data: { timestamp: t, delta: 'A' } },
        { event: 'LLM_TOKEN', data: { timestamp: t, delta: 'B' } },
      ]);
      yield asMessages([
        { event: 'LLM_RESPONSE', data: { timestamp: t, content: 'AB' } },
        { event: 'AGENT_END', data: { timestamp: t, output: 'AB' } },
        { event: 'LLM_TOKEN', data: { timestamp: t, delta: 'after the end' } },
      ]);
      throw new Error('read past AGENT_END');
    };
    for await (const batch of relay(source, 's', 'run-1')) out.push(batch);
    assert.deepEqual(
      out.map((b) => b.map((e) => e.event)),
      [['start'], ['agent_start', 'token', 'token'], ['message', 'done']],
    );
    assert.deepEqual(out[2]![1]!.data, { status: 'complete' });
  });

  it('treats a stream that stops before AGENT_END as an error', async () => {
    const out = await run([{ event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } }]);
    assert.deepEqual(
      out.map((e) => e.event),
      ['start', 'agent_start', 'error', 'done'],
    );
    assert.equal((out[2]!.data as { retryable: boolean }).retryable, true);
  });

  it('tells the browser why the BFF stopped a run, whatever the aborted call threw', async () => {
    const stopped = new RunStopped('upstream_timeout');
    const out = await run(async function* () {
      yield { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } } as AgentEvent;
      throw stopped;
    });
    assert.deepEqual(out.at(-2), {
      event: 'error',
      data: { code: 'upstream_timeout', message: 'The assistant stopped responding. Try again.', retryable: true },
    });
  });
});
