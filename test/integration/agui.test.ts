import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { HttpAgent } from '@ag-ui/client';
import { type AGUIEvent, EventType, type Interrupt, type Tool } from '@ag-ui/core';
import { ScriptedChatModel, TickerChatModel, until } from '../../agent/test/support/models.ts';
import { chat } from '../support/chat-client.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The official AG-UI client, `@ag-ui/client`'s HttpAgent — which enforces the event schemas, verifies
 * their order and rejects a run on any violation — against the BFF's `POST /v1/agui` on the real
 * path: BFF → AWS SDK → local AgentCore gateway → agent runtime → LangGraph graph.
 */

let threads = 0;
function client(stack: Stack, threadId = `agui-thread-${++threads}`): HttpAgent {
  return new HttpAgent({ url: `${stack.url}/v1/agui`, threadId });
}

function ask(agent: HttpAgent, text: string): void {
  agent.addMessage({ id: `q-${agent.messages.length}`, role: 'user', content: text });
}

const lastText = (agent: HttpAgent) => agent.messages.at(-1)?.content;

/** Runs once: how the run finished, its RUN_ERRORs, its tool results and the types of every event. */
async function runOnce(agent: HttpAgent, parameters: Parameters<HttpAgent['runAgent']>[0] = {}) {
  const finished: Array<{ outcome: string; interrupts?: Interrupt[]; pendingToolCallIds?: string[] }> = [];
  const errors: AGUIEvent[] = [];
  const results: string[] = [];
  const types: string[] = [];
  await agent.runAgent(parameters, {
    onEvent: ({ event }) => void types.push(event.type),
    onRunFinishedEvent: (params) =>
      void finished.push({
        outcome: params.outcome,
        ...('interrupts' in params && { interrupts: params.interrupts }),
        ...('pendingToolCallIds' in params && { pendingToolCallIds: params.pendingToolCallIds }),
      }),
    onRunErrorEvent: ({ event }) => void errors.push(event),
    onToolCallResultEvent: ({ event }) => void results.push(String(event.content)),
  });
  return { finished: finished[0], errors, results, types };
}

/** What the client printed: the official client warns about events it had to repair or drop. */
function watchConsole() {
  const said: string[] = [];
  const originals = { warn: console.warn, error: console.error };
  beforeEach(() => {
    said.length = 0;
    console.warn = (...args: unknown[]) => void said.push(args.map(String).join(' '));
    console.error = console.warn;
  });
  afterEach(() => Object.assign(console, originals));
  return said;
}

describe('HttpAgent against POST /v1/agui, the real path', () => {
  let stack: Stack;
  const said = watchConsole();
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('runs "What is 5+5?" through the calculator to its answer, then remembers the thread', async () => {
    const agent = client(stack);
    ask(agent, 'What is 5+5?');
    const { types, finished } = await runOnce(agent);
    assert.equal(types[0], EventType.RUN_STARTED);
    assert.equal(types.at(-1), EventType.RUN_FINISHED);
    assert.ok(types.includes(EventType.STEP_STARTED) && types.includes(EventType.TOOL_CALL_RESULT));
    assert.equal(finished?.outcome, 'success');
    const [call, result, answer] = agent.messages.slice(1);
    assert.ok(call?.role === 'assistant');
    assert.deepEqual(
      [call.toolCalls?.[0]?.function.name, JSON.parse(call.toolCalls![0]!.function.arguments)],
      ['calculator', { expression: '5+5' }],
    );
    assert.deepEqual(result?.role === 'tool' && [result.toolCallId, result.content], [call.toolCalls![0]!.id, '10']);
    assert.equal(answer?.content, 'The result of 5+5 is 10.');

    ask(agent, 'What is that times 3?');
    await runOnce(agent);
    assert.equal(lastText(agent), 'The result of 10 * 3 is 30.');
    assert.deepEqual(said, [], 'the client had nothing to repair or drop');
  });

  it('is the same conversation as the chat route’s, for the same id', async () => {
    await chat(stack.url, { message: 'What is 6*7?', session_id: 'both-wires' });
    const agent = client(stack, 'both-wires');
    ask(agent, 'What is that minus 2?');
    await runOnce(agent);
    assert.equal(lastText(agent), 'The result of 42 - 2 is 40.');
  });

  it('pauses for an approval (interrupt outcome), and goes on when the HttpAgent resumes it', async () => {
    const agent = client(stack);
    ask(agent, 'Save a note: buy milk');
    const paused = await runOnce(agent);
    assert.equal(paused.finished?.outcome, 'interrupt');
    const [interrupt] = agent.pendingInterrupts;
    assert.deepEqual(interrupt?.metadata, { tool: 'save_note', args: { text: 'buy milk' } });
    const resumed = await runOnce(agent, {
      resume: [{ interruptId: interrupt!.id, status: 'resolved', payload: { approved: true } }],
    });
    assert.deepEqual(resumed.results, ['Saved note 1: buy milk']);
    assert.equal(lastText(agent), 'I saved your note: "buy milk".');
  });

  it('leaves a page tool call to the client (pendingToolCallIds), and goes on from the tool message it adds', async () => {
    const accent: Tool = {
      name: 'set_accent_color',
      description: "Change the page's accent colour.",
      parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
    };
    const agent = client(stack);
    ask(agent, 'Make the page green');
    const stopped = await runOnce(agent, { tools: [accent] });
    const [id] = stopped.finished?.pendingToolCallIds ?? [];
    assert.ok(id);
    agent.addMessage({ id: 'page-result', role: 'tool', toolCallId: id, content: 'Accent is now green.' });
    await runOnce(agent, { tools: [accent] });
    assert.equal(lastText(agent), "Done: the page's accent colour is now green.");
  });

  it('answers a RunAgentInput it cannot run with a 400 the HttpAgent reports, and no run', async () => {
    const agent = client(stack, 'bad id with spaces');
    ask(agent, 'Hi');
    await assert.rejects(agent.runAgent(), /HTTP 400: .*"code":"invalid_id"/);
  });
});

describe('HttpAgent against POST /v1/agui: a failing model, a hang-up', () => {
  const said = watchConsole();

  it('receives RUN_ERROR with our code and fixed sentence, never the provider’s words', async () => {
    const stack = await startStack({
      model: new ScriptedChatModel(() => {
        throw new Error('provider detail: arn:aws:bedrock:us-east-1:123456789012:secret');
      }),
    });
    try {
      const agent = client(stack);
      ask(agent, 'Hi');
      const { errors, types } = await runOnce(agent);
      assert.deepEqual(
        errors.map((e) => e.type === EventType.RUN_ERROR && [e.code, e.message, e.metadata]),
        [['agent_error', 'The agent failed while answering.', { retryable: false }]],
      );
      assert.equal(types.at(-1), EventType.RUN_ERROR);
      assert.equal(agent.isRunning, false);
      assert.deepEqual(said, []);
    } finally {
      await stack.close();
    }
  });

  it('abortRun() hangs up: the model call stops, the partial answer is kept, and the thread goes on', async () => {
    const model = new TickerChatModel();
    const stack = await startStack({ model });
    try {
      const agent = client(stack);
      ask(agent, 'tick');
      let tokens = 0;
      await agent.runAgent(
        {},
        {
          onTextMessageContentEvent: () => {
            if (++tokens === 3) agent.abortRun();
          },
        },
      );
      await until(() => model.producing === 0, 'the model call stopped');
      assert.equal(lastText(agent), 'tick tick tick ');
      // The BFF let go of the thread: the next run streams at once, not refused as busy.
      ask(agent, 'again');
      const errors: AGUIEvent[] = [];
      let more = 0;
      await agent.runAgent(
        {},
        {
          onTextMessageContentEvent: () => {
            if (++more === 1) agent.abortRun();
          },
          onRunErrorEvent: ({ event }) => void errors.push(event),
        },
      );
      assert.equal(more, 1);
      assert.ok(!errors.some((e) => e.type === EventType.RUN_ERROR && e.code === 'session_busy'));
    } finally {
      model.halt();
      await stack.close();
    }
  });
});
