import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpAgent } from '@ag-ui/client';
import { type AGUIEvent, EventType } from '@ag-ui/core';
import { type ThirdPartyAgent, startThirdPartyAgent } from '../third-party-agent.ts';

/**
 * The third-party AG-UI server the widget's Chromium tests use (../third-party-agent.ts) speaks
 * valid AG-UI: the official client, which checks every event and their order, takes its streams.
 * So what the widget tolerates there is what a conforming vendor may send.
 */
describe('the stand-in third-party AG-UI agent, read by the official HttpAgent', () => {
  let agent: ThirdPartyAgent;
  const warned: string[] = [];
  const warn = console.warn;
  before(async () => {
    agent = await startThirdPartyAgent();
    console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(' '));
  });
  after(async () => {
    console.warn = warn;
    await agent.close();
  });

  it('streams reasoning, steps, state, snapshots, activity, custom and raw events around a tool call and two text messages', async () => {
    const client = new HttpAgent({ url: `${agent.url}/agent/full` });
    client.addMessage({ id: 'u1', role: 'user', content: 'hello' });
    const types: string[] = [];
    await client.runAgent({}, { onEvent: ({ event }) => void types.push(event.type) });
    for (const type of [
      EventType.REASONING_MESSAGE_CONTENT,
      EventType.STEP_STARTED,
      EventType.STATE_SNAPSHOT,
      EventType.STATE_DELTA,
      EventType.MESSAGES_SNAPSHOT,
      EventType.ACTIVITY_SNAPSHOT,
      EventType.CUSTOM,
      EventType.RAW,
      EventType.TOOL_CALL_RESULT,
    ])
      assert.ok(types.includes(type), type);
    assert.deepEqual(client.state, { turns: 2 });
    assert.equal(client.messages.at(-1)?.content, 'Anything else?');
    assert.deepEqual(warned, [], 'nothing to repair or drop');
  });

  it('fails a run with RUN_ERROR, as the client expects', async () => {
    const client = new HttpAgent({ url: `${agent.url}/agent/error` });
    client.addMessage({ id: 'u1', role: 'user', content: 'hello' });
    const errors: AGUIEvent[] = [];
    await client.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event) });
    assert.deepEqual(
      errors.map((e) => e.type === EventType.RUN_ERROR && e.code),
      ['VENDOR_OVERLOADED'],
    );
  });
});
