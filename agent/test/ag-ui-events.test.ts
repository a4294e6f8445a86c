import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { type AGUIEvent, EventType } from '@ag-ui/core';
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { AgUiRun, type GraphChunk } from '../src/ag-ui-events.ts';
import { failure } from '../src/errors.ts';
import { throughClient } from './support/ag-ui.ts';

/**
 * The mapping module on its own: LangGraph stream chunks in, AG-UI events out, and every stream
 * played to the official client, which must accept it and build the conversation a user saw.
 */

const chunk = (fields: ConstructorParameters<typeof AIMessageChunk>[0], node = 'chatbot'): GraphChunk => [
  'messages',
  [new AIMessageChunk(fields), { langgraph_node: node }],
];
const toolChunk = (index: number, part: { id?: string; name?: string; args?: string }) =>
  chunk({ content: '', tool_call_chunks: [{ type: 'tool_call_chunk', index, ...part }] });
const started = (name: string, id = `${name}-task`): GraphChunk => ['tasks', { id, name }];
const done = (name: string, messages?: BaseMessage[], id = `${name}-task`): GraphChunk => [
  'tasks',
  { id, name, result: messages ? { messages } : {} },
];
const step = (name: string, chunks: GraphChunk[], messages?: BaseMessage[]) => [
  started(name),
  ...chunks,
  done(name, messages),
];

function map(chunks: GraphChunk[], end: (run: AgUiRun) => Iterable<AGUIEvent> = (run) => run.finished()): AGUIEvent[] {
  const run = new AgUiRun('thread-1', 'run-1');
  return [run.started(), ...chunks.flatMap((c) => [...run.fromGraph(c)]), ...end(run)];
}

const types = (events: AGUIEvent[]) => events.map((e) => e.type);
const of = <T extends AGUIEvent['type']>(events: AGUIEvent[], type: T) =>
  events.filter((e): e is Extract<AGUIEvent, { type: T }> => e.type === type);

const calculation = new AIMessage({
  content: 'Let me check.',
  tool_calls: [{ id: 'call_a', name: 'calculator', args: { expression: '2+2' }, type: 'tool_call' }],
});

describe('AgUiRun: text and tool calls', () => {
  it('streams text and a tool call as one assistant message, arguments as they come, then the result', async () => {
    const events = map([
      ...step('memory', []),
      ...step(
        'chatbot',
        [
          chunk({ content: 'Let me ' }),
          chunk({ content: 'check.' }),
          toolChunk(1, { id: 'call_a', name: 'calculator', args: '' }),
          toolChunk(1, { args: '{"expression":' }),
          toolChunk(1, { args: '"2+2"}' }),
        ],
        [calculation],
      ),
      ...step(
        'tools',
        [],
        [new ToolMessage({ id: 'result-a', tool_call_id: 'call_a', name: 'calculator', content: '4' })],
      ),
    ]);
    assert.deepEqual(types(events), [
      'RUN_STARTED',
      'STEP_STARTED',
      'STEP_FINISHED',
      'STEP_STARTED',
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_CONTENT',
      'TOOL_CALL_START',
      'TOOL_CALL_ARGS',
      'TOOL_CALL_ARGS',
      'TEXT_MESSAGE_END',
      'TOOL_CALL_END',
      'STEP_FINISHED',
      'STEP_STARTED',
      'TOOL_CALL_RESULT',
      'STEP_FINISHED',
      'RUN_FINISHED',
    ]);
    assert.deepEqual(events[0], { type: EventType.RUN_STARTED, threadId: 'thread-1', runId: 'run-1' });
    assert.deepEqual(
      of(events, EventType.STEP_STARTED).map((e) => e.stepName),
      ['memory', 'chatbot', 'tools'],
    );
    const [text] = of(events, EventType.TEXT_MESSAGE_START);
    assert.deepEqual(of(events, EventType.TOOL_CALL_START), [
      {
        type: EventType.TOOL_CALL_START,
        toolCallId: 'call_a',
        toolCallName: 'calculator',
        parentMessageId: text!.messageId,
      },
    ]);
    assert.deepEqual(of(events, EventType.TOOL_CALL_RESULT), [
      { type: EventType.TOOL_CALL_RESULT, messageId: 'result-a', toolCallId: 'call_a', content: '4', role: 'tool' },
    ]);
    assert.deepEqual(events.at(-1), { type: EventType.RUN_FINISHED, threadId: 'thread-1', runId: 'run-1' });

    assert.deepEqual(await throughClient(events), [
      {
        id: text!.messageId,
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [
          { id: 'call_a', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+2"}' } },
        ],
      },
      { id: 'result-a', role: 'tool', toolCallId: 'call_a', content: '4' },
    ]);
  });

  it('keeps parallel calls apart when their chunks interleave', async () => {
    const final = new AIMessage({
      content: '',
      tool_calls: [
        { id: 'call_x', name: 'calculator', args: { expression: '1+1' }, type: 'tool_call' },
        { id: 'call_y', name: 'current_time', args: { time_zone: 'UTC' }, type: 'tool_call' },
      ],
    });
    const events = map([
      ...step(
        'chatbot',
        [
          toolChunk(0, { id: 'call_x', name: 'calculator', args: '{"expres' }),
          toolChunk(1, { id: 'call_y', name: 'current_time', args: '{"time_' }),
          toolChunk(0, { args: 'sion":"1+1"}' }),
          toolChunk(1, { args: 'zone":"UTC"}' }),
        ],
        [final],
      ),
      ...step(
        'tools',
        [],
        [
          new ToolMessage({ id: 'rx', tool_call_id: 'call_x', name: 'calculator', content: '2' }),
          new ToolMessage({ id: 'ry', tool_call_id: 'call_y', name: 'current_time', content: 'noon' }),
        ],
      ),
    ]);
    const args = (id: string) =>
      of(events, EventType.TOOL_CALL_ARGS)
        .filter((e) => e.toolCallId === id)
        .map((e) => e.delta)
        .join('');
    assert.equal(args('call_x'), '{"expression":"1+1"}');
    assert.equal(args('call_y'), '{"time_zone":"UTC"}');
    assert.equal(of(events, EventType.TEXT_MESSAGE_START).length, 0, 'no text, no empty text message');
    const starts = of(events, EventType.TOOL_CALL_START);
    assert.equal(
      starts[0]!.parentMessageId,
      starts[1]!.parentMessageId,
      'both calls belong to the one message that made them',
    );

    const [assistant, ...results] = await throughClient(events);
    assert.deepEqual(assistant, {
      id: starts[0]!.parentMessageId,
      role: 'assistant',
      toolCalls: [
        { id: 'call_x', type: 'function', function: { name: 'calculator', arguments: '{"expression":"1+1"}' } },
        { id: 'call_y', type: 'function', function: { name: 'current_time', arguments: '{"time_zone":"UTC"}' } },
      ],
    });
    assert.deepEqual(
      results.map((m) => m.role === 'tool' && [m.toolCallId, m.content]),
      [
        ['call_x', '2'],
        ['call_y', 'noon'],
      ],
    );
  });

  it('reports a tool that failed with its reason as content and as metadata.error', async () => {
    const events = map([
      ...step('chatbot', [], [calculation]),
      ...step(
        'tools',
        [],
        [
          new ToolMessage({
            id: 'r',
            tool_call_id: 'call_a',
            name: 'calculator',
            status: 'error',
            content: 'Error: Division by zero\n Please fix your mistakes.',
          }),
        ],
      ),
    ]);
    const [result] = of(events, EventType.TOOL_CALL_RESULT);
    assert.deepEqual(result, {
      type: EventType.TOOL_CALL_RESULT,
      messageId: 'r',
      toolCallId: 'call_a',
      content: 'Division by zero',
      role: 'tool',
      metadata: { error: 'Division by zero' },
    });
    const messages = await throughClient(events);
    assert.deepEqual(messages.at(-1), {
      id: 'r',
      role: 'tool',
      toolCallId: 'call_a',
      content: 'Division by zero',
      metadata: { error: 'Division by zero' },
    });
  });

  it('sends whole what a model did not stream: its text and its calls', async () => {
    const events = map(step('chatbot', [], [calculation]));
    assert.deepEqual(types(events).slice(2, -2), [
      'TEXT_MESSAGE_START',
      'TEXT_MESSAGE_CONTENT',
      'TEXT_MESSAGE_END',
      'TOOL_CALL_START',
      'TOOL_CALL_ARGS',
      'TOOL_CALL_END',
    ]);
    assert.equal(of(events, EventType.TEXT_MESSAGE_CONTENT)[0]!.delta, 'Let me check.');
    assert.equal(of(events, EventType.TOOL_CALL_ARGS)[0]!.delta, '{"expression":"2+2"}');
    await throughClient(events);
  });

  it('sends no text message for a model that says nothing', async () => {
    const events = map(
      step('chatbot', [chunk({ content: '' }), chunk({ content: [] })], [new AIMessage({ content: '' })]),
    );
    assert.deepEqual(types(events), ['RUN_STARTED', 'STEP_STARTED', 'STEP_FINISHED', 'RUN_FINISHED']);
    assert.deepEqual(await throughClient(events), []);
  });

  it('sends a call whole at the end of the step when its first chunk does not name it', async () => {
    const events = map(
      step(
        'chatbot',
        [toolChunk(0, { args: '{"expression":"2+2"}' }), toolChunk(0, { id: 'call_a', name: 'calculator' })],
        [new AIMessage({ content: '', tool_calls: calculation.tool_calls })],
      ),
    );
    assert.deepEqual(types(events).slice(2, -2), ['TOOL_CALL_START', 'TOOL_CALL_ARGS', 'TOOL_CALL_END']);
    assert.equal(of(events, EventType.TOOL_CALL_ARGS)[0]!.delta, '{"expression":"2+2"}');
    await throughClient(events);
  });

  it('ends a streamed call whose arguments did not parse (the final message drops it)', async () => {
    const events = map(
      step(
        'chatbot',
        [toolChunk(0, { id: 'call_bad', name: 'calculator', args: '{"expression": 2+' })],
        [new AIMessage({ content: '' })],
      ),
    );
    assert.deepEqual(types(events).slice(2, -2), ['TOOL_CALL_START', 'TOOL_CALL_ARGS', 'TOOL_CALL_END']);
    await throughClient(events);
  });

  it('does not start a tool call id twice when a model repeats one', async () => {
    const events = map([
      ...step('chatbot', [], [calculation]),
      ...step('chatbot', [toolChunk(0, { id: 'call_a', name: 'calculator', args: '{}' })], [calculation]),
    ]);
    assert.equal(of(events, EventType.TOOL_CALL_START).length, 1);
    await throughClient(events);
  });

  it('does not report what the memory node rewrites: the client saw those messages already', () => {
    const events = map([
      done('memory', [new HumanMessage('old'), calculation, new ToolMessage({ tool_call_id: 'call_a', content: '4' })]),
    ]);
    assert.deepEqual(types(events), ['RUN_STARTED', 'RUN_FINISHED']);
  });

  it('ignores chunks from other nodes than the model', () => {
    const events = map([chunk({ content: 'from a tool' }, 'tools')]);
    assert.deepEqual(types(events), ['RUN_STARTED', 'RUN_FINISHED']);
  });
});

describe('AgUiRun: how a run ends', () => {
  const midway = [
    started('chatbot'),
    chunk({ content: 'Half an ans' }),
    toolChunk(1, { id: 'call_a', name: 'calculator', args: '{"exp' }),
  ];

  it('closes what is open, then RUN_ERROR with the code and fixed message of the failure', async () => {
    const events = map(midway, (run) => run.failed(failure('model_unavailable')));
    assert.deepEqual(types(events).slice(-4), ['TEXT_MESSAGE_END', 'TOOL_CALL_END', 'STEP_FINISHED', 'RUN_ERROR']);
    assert.deepEqual(events.at(-1), {
      type: EventType.RUN_ERROR,
      code: 'model_unavailable',
      message: 'The model is not available right now. Try again shortly.',
    });
    const errors: AGUIEvent[] = [];
    const messages = await throughClient(events, [], errors);
    assert.equal(errors.length, 1);
    assert.equal(
      messages[0]!.role === 'assistant' && messages[0]!.content,
      'Half an ans',
      'the partial answer stays in the transcript',
    );
  });

  it('finishes a cancelled run with outcome "cancelled", everything closed first', async () => {
    const events = map(midway, (run) => run.failed(failure('cancelled')));
    assert.deepEqual(types(events).slice(-4), ['TEXT_MESSAGE_END', 'TOOL_CALL_END', 'STEP_FINISHED', 'RUN_FINISHED']);
    assert.deepEqual(events.at(-1), {
      type: EventType.RUN_FINISHED,
      threadId: 'thread-1',
      runId: 'run-1',
      outcome: { type: 'cancelled' },
    });
    await throughClient(events);
  });

  it('closes a failed model step that returned nothing', async () => {
    const events = map([...midway, done('chatbot')], (run) => run.failed(failure('agent_error')));
    assert.deepEqual(types(events).slice(-4), ['TEXT_MESSAGE_END', 'TOOL_CALL_END', 'STEP_FINISHED', 'RUN_ERROR']);
    await throughClient(events);
  });

  it('is judged by a client that refuses a broken stream (the check above can fail)', async () => {
    const broken: AGUIEvent[] = [
      map([])[0]!,
      { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'never-started', delta: 'x' },
    ];
    const quiet = mock.method(console, 'error', () => {});
    try {
      await assert.rejects(throughClient(broken), /No active text message found with ID 'never-started'/);
    } finally {
      quiet.mock.restore();
    }
  });
});
