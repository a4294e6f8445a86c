import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildGraph } from '../src/graph.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import { type RunningRuntime, createRuntime } from '../src/runtime.ts';
import { tools } from '../src/tools.ts';
import { parseSse } from '../../server/src/sse-parse.ts';

const SESSION = { 'x-amzn-bedrock-agentcore-runtime-session-id': 'runtime-session-0123456789abcdef0123456789' };

async function invoke(url: string, body: unknown, accept = 'text/event-stream') {
  return fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...SESSION },
    body: JSON.stringify(body),
  });
}

async function events(response: Response) {
  const out: Array<{ event: string; data: any }> = [];
  for await (const m of parseSse(response.body! as unknown as AsyncIterable<Uint8Array>)) out.push({ event: m.event, data: JSON.parse(m.data) });
  return out;
}

describe('agent runtime on the AgentCore contract', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await createRuntime({ graph: buildGraph({ model: new OfflineChatModel(), tools }), logging: false }).listen(0, '127.0.0.1');
  });
  after(() => runtime.close());

  it('answers /ping with a status and the time of its last update', async () => {
    const body = await (await fetch(`${runtime.url}/ping`)).json();
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
      ['AGENT_START', 'TOOL_CALL', 'TOOL_RESULT', 'LLM_TOKEN', 'LLM_RESPONSE', 'AGENT_END'],
    );
    assert.equal(list[0]!.data.session_id, SESSION['x-amzn-bedrock-agentcore-runtime-session-id']);
    assert.ok(list.every((e) => !Number.isNaN(Date.parse(e.data.timestamp))));
    const call = list.find((e) => e.event === 'TOOL_CALL')!.data;
    assert.deepEqual(list.find((e) => e.event === 'TOOL_RESULT')!.data, { timestamp: list[2]!.data.timestamp, id: call.id, tool: 'calculator', result: '10' });
    assert.equal(list.at(-1)!.data.output, 'The result of 5+5 is 10.');
  });

  it('accepts {"message"} as well as {"prompt"}', async () => {
    const list = await events(await invoke(runtime.url, { message: 'What is 2+2?' }));
    assert.equal(list.find((e) => e.event === 'TOOL_RESULT')!.data.result, '4');
  });

  it('answers JSON {"output"} without Accept: text/event-stream', async () => {
    const response = await invoke(runtime.url, { prompt: 'What is 3*3?' }, 'application/json');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { output: 'The result of 3*3 is 9.' });
  });

  it('reports a payload without a prompt as AGENT_ERROR then AGENT_END', async () => {
    const list = await events(await invoke(runtime.url, { nothing: true }));
    assert.deepEqual(list.map((e) => e.event), ['AGENT_START', 'AGENT_ERROR', 'AGENT_END']);
    assert.equal(list[1]!.data.code, 'bad_request');
  });
});
