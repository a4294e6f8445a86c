import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AGUIEvent } from '@ag-ui/core';
import { OfflineChatModel } from '../src/offline-model.ts';
import type { RunningRuntime } from '../src/runtime.ts';
import { ask, client, lastText, startRuntime } from './support/ag-ui.ts';
import { ScriptedChatModel, TickerChatModel, until } from './support/models.ts';

/**
 * The official AG-UI client, `@ag-ui/client`'s HttpAgent, pointed at the agent's /invocations as
 * AgentCore would forward to it (the session header set): it enforces the event schemas and
 * verifies their order, and rejects the run on any violation. Nobody here wrote it.
 */

describe('HttpAgent against /invocations', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await startRuntime(new OfflineChatModel());
  });
  after(() => runtime.close());

  it('runs a tool call to its answer and builds the conversation from our events', async () => {
    const agent = client(runtime, 'client-session-tool-0000000000000000000000');
    ask(agent, 'What is 5+5?');
    const steps: string[] = [];
    const calls: string[] = [];
    const { newMessages } = await agent.runAgent(
      {},
      {
        onStepStartedEvent: ({ event }) => void steps.push(event.stepName),
        onToolCallEndEvent: ({ toolCallName, toolCallArgs }) =>
          void calls.push(`${toolCallName} ${JSON.stringify(toolCallArgs)}`),
      },
    );
    assert.deepEqual(steps, ['memory', 'chatbot', 'tools', 'chatbot']);
    assert.deepEqual(calls, ['calculator {"expression":"5+5"}']);
    const [call, result, answer] = newMessages;
    assert.equal(call!.role === 'assistant' && call!.toolCalls?.[0]?.function.name, 'calculator');
    assert.deepEqual(result!.role === 'tool' && [result!.toolCallId, result!.content], [
      call!.role === 'assistant' && call!.toolCalls![0]!.id,
      '10',
    ]);
    assert.equal(answer!.role === 'assistant' && answer!.content, 'The result of 5+5 is 10.');

    // The next turn on the same thread: the agent remembers.
    ask(agent, 'What is that times 3?');
    await agent.runAgent();
    assert.equal(lastText(agent), 'The result of 10 * 3 is 30.');
  });

  it('continues a conversation after a "new microVM" from the messages HttpAgent sends', async () => {
    const session = 'client-session-rebuild-000000000000000000';
    const agent = client(runtime, session);
    ask(agent, 'What is 6*7?');
    await agent.runAgent();
    assert.equal(lastText(agent), 'The result of 6*7 is 42.');

    // The same session on a runtime that has never seen it: an AgentCore session after its idle timeout.
    const fresh = await startRuntime(new OfflineChatModel());
    try {
      const again = client(fresh, session, agent.messages);
      ask(again, 'What is that minus 2?');
      await again.runAgent();
      assert.equal(lastText(again), 'The result of 42 - 2 is 40.');
    } finally {
      await fresh.close();
    }
  });
});

describe('HttpAgent: errors and cancellation', () => {
  it('receives RUN_ERROR with our code and fixed message, and the run is over', async () => {
    const runtime = await startRuntime(
      new ScriptedChatModel(() => {
        throw new Error('provider detail');
      }),
    );
    try {
      const agent = client(runtime, 'client-session-error-00000000000000000000');
      ask(agent, 'hi');
      const errors: AGUIEvent[] = [];
      const { newMessages } = await agent.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event) });
      assert.deepEqual(
        errors.map((e) => e.type === 'RUN_ERROR' && [e.code, e.message]),
        [['agent_error', 'The agent failed while answering.']],
      );
      assert.deepEqual(newMessages, []);
      assert.equal(agent.isRunning, false);
    } finally {
      await runtime.close();
    }
  });

  it('abortRun() hangs up: the model call stops and the runtime is idle, the partial answer kept', async () => {
    const model = new TickerChatModel();
    const runtime = await startRuntime(model);
    try {
      const agent = client(runtime, 'client-session-abort-00000000000000000000');
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
      await until(
        async () => (await (await fetch(`${runtime.url}/ping`)).json()).status === 'Healthy',
        'the runtime is idle',
      );
      assert.equal(lastText(agent), 'tick tick tick ');
    } finally {
      model.halt();
      await runtime.close();
    }
  });
});
