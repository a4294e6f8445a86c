import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpAgent } from '@ag-ui/client';
import { type AGUIEvent, EventType } from '@ag-ui/core';
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { z } from 'zod';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { RUNTIME_SESSION_HEADER } from '../../protocol/agent-request.ts';
import { runAgent } from '../src/agent-events.ts';
import { buildGraph } from '../src/graph.ts';
import type { RunningRuntime } from '../src/runtime.ts';
import { SUGGEST_TOOL, boundSuggestions, takeSuggestions } from '../src/suggestions.ts';
import { defineTool } from '../src/tools/define-tool.ts';
import { tools } from '../src/tools.ts';
import { startRuntime } from './support/ag-ui.ts';
import { ScriptedChatModel, type Turn } from './support/models.ts';

/** Follow-up suggestions: taken from the model's answer, bounded, and sent once, at the end of a run that answered. */

const suggest = (items: unknown[]) => ({ name: SUGGEST_TOOL, args: { items } as Record<string, unknown> });

async function run(script: (call: number) => Turn, extraTools = tools, maxSteps?: number) {
  const model = new ScriptedChatModel((_messages, call) => script(call));
  const graph = buildGraph({ model, tools: extraTools, ...(maxSteps && { maxSteps }) });
  const events: AgentEvent[] = [];
  for await (const e of runAgent(graph, { prompt: 'hi', sessionId: 'suggest' })) events.push(e);
  return { events, model, names: events.map((e) => e.event).filter((n) => n !== 'LLM_TOKEN') };
}

const suggestionsOf = (events: AgentEvent[]) =>
  events.flatMap((e) => (e.event === 'SUGGESTIONS' ? [e.data.items] : []));

describe('boundSuggestions and takeSuggestions', () => {
  it('keeps at most 4 distinct one-line strings of at most 80 characters', () => {
    assert.deepEqual(
      boundSuggestions(['  What  is\nthat? ', 7, null, 'x'.repeat(81), 'What is that?', 'a', 'b', 'c', 'd']),
      ['What is that?', 'a', 'b', 'c'],
    );
    assert.deepEqual(boundSuggestions([]), []);
  });

  it('takes the suggestions call out of an answer, and leaves a message without one as it is', () => {
    const answer = new AIMessage({
      id: 'm',
      content: 'The answer.',
      tool_calls: [
        { id: 's', ...suggest(['More?']) },
        { id: 'c', name: 'calculator', args: { expression: '1+1' } },
      ],
    });
    const { message, suggestions } = takeSuggestions(answer);
    assert.deepEqual(suggestions, ['More?']);
    assert.deepEqual(
      [message.id, message.text, message.tool_calls?.map((c) => c.name)],
      ['m', 'The answer.', ['calculator']],
    );
    const plain = new AIMessage('Plain.');
    assert.deepEqual(takeSuggestions(plain), { message: plain });
  });

  it('leaves a suggestions call that stands alone in the message, so the tool answers it and the model goes on', () => {
    const alone = new AIMessage({ content: '', tool_calls: [{ id: 's', ...suggest(['More?']) }] });
    const { message, suggestions } = takeSuggestions(alone);
    assert.equal(message, alone);
    assert.deepEqual(suggestions, ['More?']);
  });
});

describe('SUGGESTIONS on Wire 1', () => {
  it('comes just before AGENT_END when the answer suggests, at no extra model call', async () => {
    const { events, names, model } = await run(() => ({ text: 'Answer.', toolCalls: [suggest(['Next?', 'Other?'])] }));
    assert.deepEqual(names, ['AGENT_START', 'LLM_RESPONSE', 'SUGGESTIONS', 'AGENT_END']);
    assert.deepEqual(suggestionsOf(events), [['Next?', 'Other?']]);
    assert.equal(model.calls, 1);
  });

  it('keeps the suggestions of a call that stood alone for the answer that follows it', async () => {
    let seenResult: ToolMessage | undefined;
    const model = new ScriptedChatModel((messages, call) => {
      if (call === 1) return { toolCalls: [suggest(['Next?'])] };
      seenResult = messages.findLast(ToolMessage.isInstance);
      return { text: 'Answer.' };
    });
    const graph = buildGraph({ model, tools });
    const events: AgentEvent[] = [];
    for await (const e of runAgent(graph, { prompt: 'hi', sessionId: 'alone' })) events.push(e);
    assert.equal(seenResult?.text, 'The suggestions are shown to the user under your answer. Now write your answer.');
    assert.deepEqual(suggestionsOf(events), [['Next?']]);
    const end = events.at(-1);
    assert.equal(end?.event === 'AGENT_END' && end.data.output, 'Answer.');
  });

  it('drops suggestions made beside other tool calls once the model answers without any', async () => {
    const { events } = await run((call) =>
      call === 1
        ? {
            text: 'Let me check.',
            toolCalls: [{ name: 'calculator', args: { expression: '1+1' } }, suggest(['Stale?'])],
          }
        : { text: 'It is 2.' },
    );
    assert.deepEqual(suggestionsOf(events), []);
  });

  it('never comes with an interrupt or an error', async () => {
    const send = defineTool(() => 'sent', {
      name: 'send',
      description: 'Sends.',
      schema: z.object({}),
      needsApproval: true,
    });
    const paused = await run(
      () => ({ text: 'Sending.', toolCalls: [{ name: 'send', args: {} }, suggest(['Next?'])] }),
      [...tools, send],
    );
    assert.ok(paused.names.includes('AGENT_INTERRUPT'));
    assert.deepEqual(suggestionsOf(paused.events), []);
    const looping = await run(
      () => ({ text: 'Again.', toolCalls: [{ name: 'calculator', args: { expression: '1+1' } }, suggest(['Next?'])] }),
      tools,
      2,
    );
    assert.ok(looping.names.includes('AGENT_ERROR'));
    assert.deepEqual(suggestionsOf(looping.events), []);
  });
});

describe('suggestions on AG-UI', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await startRuntime(new ScriptedChatModel(() => ({ text: 'Answer.', toolCalls: [suggest(['Next?'])] })));
  });
  after(() => runtime.close());

  it('is a CUSTOM "suggestions" event just before RUN_FINISHED, and the call is never shown as a tool call', async () => {
    const agent = new HttpAgent({
      url: `${runtime.url}/invocations`,
      headers: { [RUNTIME_SESSION_HEADER]: 'suggestions-agui-session-0000000000000000' },
    });
    agent.addMessage({ id: 'u', role: 'user', content: 'hi' });
    const seen: AGUIEvent[] = [];
    await agent.runAgent({}, { onEvent: ({ event }) => void seen.push(event as AGUIEvent) });
    assert.deepEqual(
      seen.slice(-2).map((e) => [e.type, e.type === EventType.CUSTOM && [e.name, e.value]]),
      [
        [EventType.CUSTOM, ['suggestions', { items: ['Next?'] }]],
        [EventType.RUN_FINISHED, false],
      ],
    );
    assert.ok(!seen.some((e) => e.type === EventType.TOOL_CALL_START));
    assert.deepEqual(
      agent.messages.map((m) => [m.role, m.role === 'assistant' ? (m.toolCalls?.length ?? 0) : 0]),
      [
        ['user', 0],
        ['assistant', 0],
      ],
    );
  });
});
