import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemorySaver } from '@langchain/langgraph';
import { OfflineChatModel } from '../../agent/src/offline-model.ts';
import { ScriptedChatModel } from '../../agent/test/support/models.ts';
import { runtimeSessionId } from '../../server/src/session-id.ts';
import { chat } from '../support/chat-client.ts';
import { type JwksServer, startJwksServer } from '../support/jwks-server.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('the real path: BFF → AWS SDK → local AgentCore gateway → runtime → LangGraph', () => {
  let stack: Stack;
  const checkpointer = new MemorySaver();
  before(async () => {
    stack = await startStack({ checkpointer });
  });
  after(() => stack.close());

  it('streams the seed\'s event sequence for "What is 5+5?"', async () => {
    const { status, events } = await chat(stack.url, {
      message: 'What is 5+5?',
      session_id: 'test-session-123456789012345',
    });
    assert.equal(status, 200);
    const names = events.map((e) => e.event);
    // start, agent_start, tool_start, tool_end, token…, message, done
    assert.deepEqual(names.slice(0, 4), ['start', 'agent_start', 'tool_start', 'tool_end']);
    assert.deepEqual(names.slice(-2), ['message', 'done']);
    assert.ok(names.slice(4, -2).length >= 2 && names.slice(4, -2).every((n) => n === 'token'));

    const [start, agentStart, toolStart, toolEnd] = events;
    assert.deepEqual(start!.data, { session_id: 'test-session-123456789012345', run_id: start!.id!.split(':')[0] });
    assert.deepEqual(agentStart!.data, { session_id: 'test-session-123456789012345', status: 'started' });
    assert.equal(toolStart!.data.tool, 'calculator');
    assert.deepEqual(toolStart!.data.args, { expression: '5+5' });
    assert.deepEqual(toolEnd!.data, { id: toolStart!.data.id, tool: 'calculator', result: '10' });
    const tokens = events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.delta)
      .join('');
    const message = events.at(-2)!.data;
    assert.equal(message.content, tokens);
    assert.match(message.content, /\b10\b/);
    assert.equal(message.partial, true);
    assert.deepEqual(events.at(-1)!.data, { status: 'complete' });
  });

  it('numbers every event <run id>:<sequence> from 1', async () => {
    const { events } = await chat(stack.url, { message: 'What is 2*21?', session_id: 'ids' });
    const runId = events[0]!.id!.split(':')[0]!;
    assert.equal(runId, events[0]!.data.run_id);
    assert.match(runId, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(
      events.map((e) => e.id),
      events.map((_, i) => `${runId}:${i + 1}`),
    );
  });

  it('remembers the conversation per session: a second question can refer to the first', async () => {
    await chat(stack.url, { message: 'What is 5+5?', session_id: 'memory-a' });
    const { events } = await chat(stack.url, { message: 'What is that times 3?', session_id: 'memory-a' });
    assert.deepEqual(events.find((e) => e.event === 'tool_start')!.data.args, { expression: '10 * 3' });
    assert.match(events.find((e) => e.event === 'message')!.data.content, /\b30\b/);

    // Another session has no such memory.
    const other = await chat(stack.url, { message: 'What is that times 3?', session_id: 'memory-b' });
    assert.equal(
      other.events.find((e) => e.event === 'tool_start'),
      undefined,
    );
  });

  it("keeps memory under the HMAC-derived runtime session id, never the browser's id", async () => {
    await chat(stack.url, { message: 'What is 1+1?', session_id: 'short' });
    const threads = new Set<string>();
    for await (const tuple of checkpointer.list({})) threads.add(tuple.config.configurable!.thread_id as string);
    assert.ok(threads.has(runtimeSessionId('test-secret', 'short')));
    assert.ok(!threads.has('short'));
    assert.ok([...threads].every((t) => /^[0-9a-f]{64}$/.test(t)));
  });

  it('reports a failing tool in the stream and lets the model answer', async () => {
    const { events } = await chat(stack.url, { message: 'What is 1/0?', session_id: 'tool-error' });
    const toolEnd = events.find((e) => e.event === 'tool_end')!;
    assert.equal(toolEnd.data.error, 'Division by zero');
    assert.match(events.find((e) => e.event === 'message')!.data.content, /couldn't calculate 1\/0/);
    assert.deepEqual(events.at(-1)!.data, { status: 'complete' });
  });
});

describe('the seed wire carries the conversation the browser shows, for an agent that has none of it', () => {
  /** What the model was shown of the conversation (after the system prompt), on its latest call. */
  let seen: string[] = [];
  let stack: Stack;
  before(async () => {
    const model = new ScriptedChatModel((messages) => {
      seen = messages.slice(1).map((m) => `${m.getType()}: ${m.text}`);
      return { text: 'ok' };
    });
    stack = await startStack({ model });
  });
  after(() => stack.close());

  it('goes on from the history a new session is sent (a new microVM), and from its own memory after that', async () => {
    const history = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.' },
    ];
    const first = await chat(stack.url, { message: 'What is my name?', session_id: 'seed-history', history });
    assert.deepEqual(first.events.at(-1)!.data, { status: 'complete' });
    assert.deepEqual(seen, ['human: My name is Ada.', 'ai: Hello Ada.', 'human: What is my name?']);

    // The agent remembers the session now: what the browser sends is not taken over its memory.
    const forged = [{ role: 'user', content: 'My name is Mallory.' }];
    await chat(stack.url, { message: 'Are you sure?', session_id: 'seed-history', history: forged });
    assert.deepEqual(seen, [
      'human: My name is Ada.',
      'ai: Hello Ada.',
      'human: What is my name?',
      'ai: ok',
      'human: Are you sure?',
    ]);
  });
});

describe('real time: nothing on the path buffers', () => {
  const PAUSE_MS = 150;
  let stack: Stack;
  before(async () => {
    stack = await startStack({ model: new OfflineChatModel({ tokenDelayMs: PAUSE_MS }) });
  });
  after(() => stack.close());

  it('delivers events spread out over time as the agent produces them, not all at once', async () => {
    const { events } = await chat(stack.url, { message: 'What is 5+5?', session_id: 'realtime' });
    const at = (name: string) => events.find((e) => e.event === name)!.at;
    // The model "thinks" 3 pauses before its tool call, and pauses between each token.
    assert.ok(
      at('tool_start') - at('agent_start') >= 3 * PAUSE_MS * 0.8,
      'tool_start came only after the model thought',
    );
    const tokens = events.filter((e) => e.event === 'token');
    assert.ok(tokens.length >= 4);
    for (let i = 1; i < tokens.length; i++) {
      const gap = tokens[i]!.at - tokens[i - 1]!.at;
      assert.ok(gap >= PAUSE_MS * 0.5, `token ${i} arrived ${gap.toFixed(0)} ms after the one before, not at once`);
    }
    assert.ok(at('done') - at('start') >= (tokens.length + 3) * PAUSE_MS * 0.8);
  });
});

describe('authenticated mode on the real path: a conversation belongs to its user, whatever id is sent', () => {
  let idp: JwksServer;
  let stack: Stack;
  before(async () => {
    idp = await startJwksServer();
    stack = await startStack({ env: idp.env });
  });
  after(async () => {
    await stack.close();
    await idp.close();
  });

  it('keeps Alice\'s memory from Bob, though both send session_id "support"', async () => {
    const as = async (user: string) => ({
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${await idp.provider.token(user)}`,
      },
    });
    const alice = await chat(stack.url, { message: 'What is 5+5?', session_id: 'support' }, await as('alice'));
    assert.equal(alice.events.find((e) => e.event === 'tool_end')!.data.result, '10');

    // "that" is the previous result only for whoever asked before in this conversation.
    const bob = await chat(stack.url, { message: 'What is that times 3?', session_id: 'support' }, await as('bob'));
    assert.equal(
      bob.events.find((e) => e.event === 'tool_start'),
      undefined,
      'Bob\'s "support" has no 10 in it',
    );
    assert.match(bob.events.find((e) => e.event === 'message')!.data.content, /offline demo model/);

    const aliceAgain = await chat(
      stack.url,
      { message: 'What is that times 3?', session_id: 'support' },
      await as('alice'),
    );
    assert.match(aliceAgain.events.find((e) => e.event === 'message')!.data.content, /\b30\b/);

    const anonymous = await chat(stack.url, { message: 'What is 1+1?', session_id: 'support' });
    assert.equal(anonymous.status, 401);
  });
});
