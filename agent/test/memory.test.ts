import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { CheckpointTuple } from '@langchain/langgraph';
import { runAgent } from '../src/agent-events.ts';
import { buildGraph } from '../src/graph.ts';
import { BoundedMemorySaver, TOOL_NOT_RUN, approximateTokens, boundHistory } from '../src/memory.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import { tools } from '../src/tools.ts';

/** One calculator turn: question, tool call, result, answer. */
function turn(n: number): BaseMessage[] {
  const id = `call_${n}`;
  return [
    new HumanMessage(`What is ${n}+${n}?`),
    new AIMessage({ content: '', tool_calls: [{ id, name: 'calculator', args: { expression: `${n}+${n}` } }] }),
    new ToolMessage({ tool_call_id: id, name: 'calculator', content: String(2 * n) }),
    new AIMessage(`The result of ${n}+${n} is ${2 * n}.`),
  ];
}

const tokensOf = (messages: BaseMessage[]) => messages.reduce((sum, m) => sum + approximateTokens(m), 0);

describe('boundHistory', () => {
  const history = [...turn(1), ...turn(2), ...turn(3), new HumanMessage('What is 4+4?')];

  it('keeps everything that fits', () => {
    assert.deepEqual(boundHistory(history, 10_000), history);
  });

  it('forgets whole turns, oldest first, to fit the budget', () => {
    const budget = tokensOf([...turn(3), history.at(-1)!]);
    const kept = boundHistory(history, budget);
    assert.deepEqual(kept, [...history.slice(8)]);
    assert.ok(HumanMessage.isInstance(kept[0]!), 'a kept history starts with a question, never a lone tool result');
  });

  it('always keeps the newest turn, even when it alone is over budget', () => {
    assert.deepEqual(boundHistory(history, 1), [history.at(-1)]);
  });

  it('answers a tool call left without a result, right after the call', () => {
    const open = new AIMessage({
      content: '',
      tool_calls: [{ id: 'open', name: 'calculator', args: { expression: '1+1' } }],
    });
    const kept = boundHistory([new HumanMessage('q'), open, new HumanMessage('next')], 10_000);
    assert.deepEqual(
      kept.map((m) => m.getType()),
      ['human', 'ai', 'tool', 'human'],
    );
    const result = kept[2] as ToolMessage;
    assert.equal(result.tool_call_id, 'open');
    assert.equal(result.status, 'error');
    assert.equal(result.content, TOOL_NOT_RUN);
  });
});

describe('BoundedMemorySaver', () => {
  it('keeps one checkpoint per session', async () => {
    const saver = new BoundedMemorySaver(10);
    const graph = buildGraph({ model: new OfflineChatModel(), tools, checkpointer: saver });
    for (const prompt of ['What is 1+1?', 'What is 2+2?'])
      for await (const _ of runAgent(graph, { prompt, sessionId: 's' })) void _;
    const checkpoints: CheckpointTuple[] = [];
    for await (const c of saver.list({ configurable: { thread_id: 's' } })) checkpoints.push(c);
    assert.equal(checkpoints.length, 1);
    assert.equal(
      (checkpoints[0]!.checkpoint.channel_values.messages as BaseMessage[]).length,
      8,
      'the one checkpoint holds the whole conversation',
    );
    const writeKeys = Object.keys(saver.writes).map((k) => JSON.parse(k)[2]);
    assert.ok(writeKeys.every((id) => id === checkpoints[0]!.config.configurable!.checkpoint_id));
  });

  it('forgets the least recently used session beyond maxSessions', async () => {
    const saver = new BoundedMemorySaver(2);
    const graph = buildGraph({ model: new OfflineChatModel(), tools, checkpointer: saver });
    const ask = async (sessionId: string) => {
      for await (const _ of runAgent(graph, { prompt: 'What is 1+1?', sessionId })) void _;
    };
    await ask('a');
    await ask('b');
    await ask('a'); // a is now more recent than b
    await ask('c');
    assert.deepEqual(Object.keys(saver.storage).sort(), ['a', 'c']);
  });
});

describe('a long session', () => {
  it('stays within its memory budget, in what is stored, and still remembers the last turns', async () => {
    const memoryTokens = 200;
    const saver = new BoundedMemorySaver(10);
    const graph = buildGraph({ model: new OfflineChatModel(), tools, checkpointer: saver, memoryTokens });
    const storedSize = () => JSON.stringify([saver.storage, saver.writes]).length;
    const sizes: number[] = [];
    for (let n = 1; n <= 40; n++) {
      for await (const _ of runAgent(graph, { prompt: `What is ${n}+1?`, sessionId: 'long' })) void _;
      sizes.push(storedSize());
    }
    const messages: BaseMessage[] = (await graph.getState({ configurable: { thread_id: 'long' } })).values.messages;
    const lastTurn = messages.slice(-4);
    assert.ok(tokensOf(messages.slice(0, -4)) <= memoryTokens, 'older turns fit the budget');
    assert.ok(messages.length < 40, `kept ${messages.length} messages of 160`);
    assert.equal(lastTurn[0]!.content, 'What is 40+1?');
    assert.ok(sizes[39]! <= sizes[9]! * 1.2, `stored ${sizes[9]} bytes after 10 turns, ${sizes[39]} after 40`);

    // What is kept is still memory: "that" is the last result.
    let args: unknown;
    for await (const e of runAgent(graph, { prompt: 'What is that times 2?', sessionId: 'long' }))
      if (e.event === 'TOOL_CALL') args = e.data.args;
    assert.deepEqual(args, { expression: '41 * 2' });
  });
});
