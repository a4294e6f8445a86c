import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { parseSse } from '../../protocol/sse.ts';
import { buildGraph } from '../src/graph.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import { type RunningRuntime, createRuntime } from '../src/runtime.ts';
import { tools } from '../src/tools.ts';
import { ScriptedChatModel, TickerChatModel, until } from './support/models.ts';

const SESSION = { 'x-amzn-bedrock-agentcore-runtime-session-id': 'runtime-session-0123456789abcdef0123456789' };

function invoke(
  url: string,
  body: unknown,
  { accept = 'text/event-stream', signal }: { accept?: string; signal?: AbortSignal } = {},
) {
  return fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...SESSION },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** Wire 1 events as they arrive. */
async function* eventsOf(response: Response): AsyncGenerator<AgentEvent> {
  for await (const m of parseSse(response.body! as unknown as AsyncIterable<Uint8Array>)) {
    yield { event: m.event, data: JSON.parse(m.data) } as AgentEvent;
  }
}

async function events(response: Response): Promise<Array<{ event: string; data: any }>> {
  const out = [];
  for await (const e of eventsOf(response)) out.push(e);
  return out;
}

async function ping(url: string): Promise<{ status: string; time_of_last_update: number }> {
  return (await fetch(`${url}/ping`)).json();
}

/**
 * Starts a streamed run and keeps reading it in the background (leaving a response unread
 * would hang up too), until `hangUp()` closes the connection.
 */
async function openRun(url: string) {
  const controller = new AbortController();
  const received: AgentEvent[] = [];
  const response = await invoke(url, { prompt: 'tick' }, { signal: controller.signal });
  const reading = (async () => {
    for await (const e of eventsOf(response)) received.push(e);
  })().catch(() => {});
  return {
    tokens: () => received.filter((e) => e.event === 'LLM_TOKEN').length,
    hangUp: async () => {
      controller.abort();
      await reading;
    },
  };
}

function start(model: BaseChatModel): Promise<RunningRuntime> {
  return createRuntime({ graph: buildGraph({ model, tools }), logging: false }).listen(0, '127.0.0.1');
}

describe('agent runtime on the AgentCore contract', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await start(new OfflineChatModel());
  });
  after(() => runtime.close());

  it('answers /ping with a status and the time of its last update', async () => {
    const body = await ping(runtime.url);
    assert.equal(body.status, 'Healthy');
    assert.ok(Math.abs(body.time_of_last_update - Date.now() / 1000) < 3600);
  });

  it('streams Wire 1 for {"prompt"} with timestamps and paired tool ids', async () => {
    const response = await invoke(runtime.url, { prompt: 'What is 5+5?' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /text\/event-stream/);
    const list = await events(response);
    assert.deepEqual(
      [...new Set(list.map((e) => e.event))],
      // No SUGGESTIONS after a calculation: the seed's curl keeps exactly the seed's sequence on Wire 2.
      ['AGENT_START', 'TOOL_CALL', 'TOOL_RESULT', 'LLM_TOKEN', 'LLM_RESPONSE', 'AGENT_END'],
    );
    assert.equal(list[0]!.data.session_id, SESSION['x-amzn-bedrock-agentcore-runtime-session-id']);
    assert.ok(list.every((e) => !Number.isNaN(Date.parse(e.data.timestamp))));
    const call = list.find((e) => e.event === 'TOOL_CALL')!.data;
    assert.deepEqual(list.find((e) => e.event === 'TOOL_RESULT')!.data, {
      timestamp: list[2]!.data.timestamp,
      id: call.id,
      tool: 'calculator',
      result: '10',
    });
    assert.equal(list.at(-1)!.data.output, 'The result of 5+5 is 10.');
  });

  it('accepts {"message"} as well as {"prompt"}', async () => {
    const list = await events(await invoke(runtime.url, { message: 'What is 2+2?' }));
    assert.equal(list.find((e) => e.event === 'TOOL_RESULT')!.data.result, '4');
  });

  it('routes a time question to current_time', async () => {
    const list = await events(await invoke(runtime.url, { prompt: 'What time is it in Tokyo?' }));
    assert.deepEqual(list.find((e) => e.event === 'TOOL_CALL')!.data.args, { time_zone: 'Asia/Tokyo' });
    assert.match(list.find((e) => e.event === 'TOOL_RESULT')!.data.result, /in Asia\/Tokyo \(UTC\+09:00\)$/);
    assert.match(list.at(-1)!.data.output, /^It is \w+day, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d in Asia\/Tokyo/);
  });

  it('reports a payload without a prompt as AGENT_ERROR then AGENT_END', async () => {
    const list = await events(await invoke(runtime.url, { nothing: true }));
    assert.deepEqual(
      list.map((e) => e.event),
      ['AGENT_START', 'AGENT_ERROR', 'AGENT_END'],
    );
    assert.equal(list[1]!.data.code, 'bad_request');
  });

  it('reports a body that is not JSON the same way, in the stream', async () => {
    const response = await invoke(runtime.url, '{"prompt": "unterminated');
    assert.equal(response.status, 200);
    const list = await events(response);
    assert.deepEqual(
      list.map((e) => e.event),
      ['AGENT_START', 'AGENT_ERROR', 'AGENT_END'],
    );
    assert.deepEqual(list[1]!.data, {
      timestamp: list[1]!.data.timestamp,
      code: 'bad_request',
      message: 'The request needs a JSON body with a non-empty "prompt" string.',
    });
  });
});

describe('the non-streaming path (no Accept: text/event-stream)', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await start(new OfflineChatModel());
  });
  after(() => runtime.close());

  it('answers JSON {"output"}', async () => {
    const response = await invoke(runtime.url, { prompt: 'What time is it in UTC?' }, { accept: 'application/json' });
    assert.equal(response.status, 200);
    const { output, suggestions } = await response.json();
    assert.match(output, /^It is .*UTC/);
    assert.deepEqual(suggestions, ['What time is it in London?']);
  });

  it('answers a bad payload with 400 and a JSON error', async () => {
    for (const body of [{ prompt: '' }, 'not json']) {
      const response = await invoke(runtime.url, body, { accept: 'application/json' });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        error: { code: 'bad_request', message: 'The request needs a JSON body with a non-empty "prompt" string.' },
      });
    }
  });
});

describe('a model that throws on its first call', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await start(
      new ScriptedChatModel(() => {
        throw new Error('internal detail: https://example.internal/?key=SECRET');
      }),
    );
  });
  after(() => runtime.close());

  it('streams AGENT_START, AGENT_ERROR, AGENT_END with no internals, not a broken stream', async () => {
    const response = await invoke(runtime.url, { prompt: 'hi' });
    assert.equal(response.status, 200);
    const list = await events(response);
    assert.deepEqual(
      list.map((e) => e.event),
      ['AGENT_START', 'AGENT_ERROR', 'AGENT_END'],
    );
    assert.deepEqual(list[1]!.data, {
      timestamp: list[1]!.data.timestamp,
      code: 'agent_error',
      message: 'The agent failed while answering.',
    });
  });

  it('answers a JSON call with 500 and a JSON error with no internals', async () => {
    const response = await invoke(runtime.url, { prompt: 'hi' }, { accept: 'application/json' });
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      error: { code: 'agent_error', message: 'The agent failed while answering.' },
    });
  });
});

describe('health: /ping while runs are in progress', () => {
  let runtime: RunningRuntime;
  const model = new TickerChatModel();
  before(async () => {
    runtime = await start(model);
  });
  after(async () => {
    model.halt();
    await runtime.close();
  });

  it('says HealthyBusy while any run is in progress, then Healthy with the time it went idle', async () => {
    const idle = await ping(runtime.url);
    assert.equal(idle.status, 'Healthy');
    // Status times are whole seconds: let one pass, so a change is visible in the number.
    await sleep(1100);
    const startedAt = Date.now();
    const first = await openRun(runtime.url);
    const second = await openRun(runtime.url);
    await until(() => first.tokens() > 0 && second.tokens() > 0, 'both runs stream');
    assert.equal(model.producing, 2);
    const busy = await ping(runtime.url);
    assert.equal(busy.status, 'HealthyBusy');
    assert.ok(busy.time_of_last_update >= Math.floor(startedAt / 1000), 'busy since the first run started');

    await first.hangUp();
    await until(() => model.producing === 1, 'the first run stopped');
    assert.equal((await ping(runtime.url)).status, 'HealthyBusy', 'the second run is still in progress');

    await sleep(1100);
    const endingAt = Date.now();
    await second.hangUp();
    await until(async () => (await ping(runtime.url)).status === 'Healthy', 'the runtime is idle again');
    const after = await ping(runtime.url);
    assert.ok(after.time_of_last_update >= Math.floor(endingAt / 1000), 'idle since the last run ended');
    assert.ok(after.time_of_last_update <= Date.now() / 1000);
  });

  it('notes when a run made it busy and idle even if nobody pinged meanwhile', async () => {
    const offline = await start(new OfflineChatModel());
    try {
      assert.equal((await ping(offline.url)).status, 'Healthy');
      await sleep(1100);
      const runStartedAt = Date.now();
      await events(await invoke(offline.url, { prompt: 'What is 1+1?' }));
      const idle = await ping(offline.url);
      assert.equal(idle.status, 'Healthy');
      assert.ok(
        idle.time_of_last_update >= Math.floor(runStartedAt / 1000),
        'the time moved with the run, not stuck at the last ping',
      );
    } finally {
      await offline.close();
    }
  });
});

describe('cancellation: the caller hangs up mid-run', () => {
  let runtime: RunningRuntime;
  const streaming = new TickerChatModel();
  const silent = new TickerChatModel({ silent: true });
  let silentRuntime: RunningRuntime;
  before(async () => {
    runtime = await start(streaming);
    silentRuntime = await start(silent);
  });
  after(async () => {
    streaming.halt();
    silent.halt();
    await runtime.close();
    await silentRuntime.close();
  });

  it('aborts the graph run: the model stops producing and the runtime is idle again', async () => {
    const run = await openRun(runtime.url);
    await until(() => run.tokens() >= 3, 'tokens stream');
    assert.equal(streaming.producing, 1);
    await run.hangUp();
    await until(() => streaming.producing === 0, 'the model call stopped');
    const produced = streaming.produced;
    await sleep(200);
    assert.equal(streaming.produced, produced, 'nothing was produced after the call stopped');
    await until(async () => (await ping(runtime.url)).status === 'Healthy', 'the run ended');
  });

  it('stops a model that has not said anything yet, when no event would reveal the hang-up', async () => {
    const run = await openRun(silentRuntime.url);
    await until(() => silent.produced >= 3, 'the model is working');
    await run.hangUp();
    await until(() => silent.producing === 0, 'the model call stopped');
    await until(async () => (await ping(silentRuntime.url)).status === 'Healthy', 'the run ended');
  });
});
