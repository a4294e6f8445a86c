import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import {
  AccessDeniedException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { type BaseMessage, ToolMessage, isAIMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { runAgent } from '../src/agent-events.ts';
import { DEFAULT_MAX_STEPS } from '../src/configuration.ts';
import { describeError } from '../src/errors.ts';
import { buildGraph } from '../src/graph.ts';
import { TOOL_NOT_RUN } from '../src/memory.ts';
import { ToolError, UNEXPECTED_TOOL_FAILURE, defineTool } from '../src/tools/define-tool.ts';
import { tools } from '../src/tools.ts';
import { ScriptedChatModel } from './support/models.ts';

async function run(
  graph: ReturnType<typeof buildGraph>,
  prompt: string | undefined,
  sessionId = 'session',
  logError?: (e: unknown) => void,
) {
  const events: AgentEvent[] = [];
  for await (const e of runAgent(graph, { prompt, sessionId, logError })) events.push(e);
  return events;
}

const names = (events: AgentEvent[]) => events.map((e) => e.event);
const only = <K extends AgentEvent['event']>(events: AgentEvent[], name: K) =>
  events.filter((e): e is Extract<AgentEvent, { event: K }> => e.event === name);

describe('runAgent: every failure is an event', () => {
  it('reports a model that throws on its first call as AGENT_ERROR then AGENT_END, without its details', async () => {
    const model = new ScriptedChatModel(() => {
      throw new Error('connect to https://internal.example/key=AKIA-SECRET failed\n    at secret.ts:1');
    });
    const logged: unknown[] = [];
    const events = await run(buildGraph({ model, tools }), 'hello', 'throws', (e) => logged.push(e));
    assert.deepEqual(names(events), ['AGENT_START', 'AGENT_ERROR', 'AGENT_END']);
    const error = only(events, 'AGENT_ERROR')[0]!.data;
    assert.equal(error.code, 'agent_error');
    assert.equal(error.message, 'The agent failed while answering.');
    assert.doesNotMatch(JSON.stringify(events), /SECRET|internal\.example|secret\.ts/);
    assert.match(String(logged[0]), /AKIA-SECRET/, 'the details go to the log');
  });

  it('reports a payload without a prompt as bad_request', async () => {
    const model = new ScriptedChatModel(() => ({ text: 'unreachable' }));
    const events = await run(buildGraph({ model, tools }), '   ');
    assert.deepEqual(names(events), ['AGENT_START', 'AGENT_ERROR', 'AGENT_END']);
    assert.equal(only(events, 'AGENT_ERROR')[0]!.data.code, 'bad_request');
    assert.equal(model.calls, 0);
  });

  it('reports a tool that throws as TOOL_RESULT with error, and lets the model recover', async () => {
    const lookup = defineTool(
      ({ key }) => {
        if (key === 'missing') throw new ToolError('No entry named "missing".');
        throw new Error('ENOENT: /srv/secrets/db-password.txt');
      },
      { name: 'lookup', description: 'Looks an entry up.', schema: z.object({ key: z.string() }) },
    );
    const model = new ScriptedChatModel((messages, call) => {
      if (call === 1)
        return {
          toolCalls: [
            { name: 'lookup', args: { key: 'missing' } },
            { name: 'lookup', args: { key: 'other' } },
          ],
        };
      const failures = messages.filter((m) => ToolMessage.isInstance(m) && m.status === 'error').length;
      return { text: `Both lookups failed (${failures}), sorry.` };
    });
    const consoleError = mock.method(console, 'error', () => {});
    try {
      const events = await run(buildGraph({ model, tools: [lookup] }), 'look two things up');
      const results = only(events, 'TOOL_RESULT').map((e) => e.data);
      assert.deepEqual(
        results.map((r) => ('error' in r ? r.error : r.result)),
        ['No entry named "missing".', UNEXPECTED_TOOL_FAILURE],
      );
      assert.doesNotMatch(JSON.stringify(events), /secrets|password/);
      assert.match(String(consoleError.mock.calls[0]!.arguments[1]), /db-password/, 'the unexpected error is logged');
      assert.equal(events.at(-1)!.event, 'AGENT_END');
      assert.equal(only(events, 'AGENT_END')[0]!.data.output, 'Both lookups failed (2), sorry.');
      assert.equal(only(events, 'AGENT_ERROR').length, 0);
    } finally {
      consoleError.mock.restore();
    }
  });
});

describe('runAgent: step budget', () => {
  const alwaysCalculate = () =>
    new ScriptedChatModel(() => ({ toolCalls: [{ name: 'calculator', args: { expression: '1+1' } }] }));

  it('stops a model that always asks for a tool after maxSteps calls, with step_limit', async () => {
    const model = alwaysCalculate();
    const events = await run(buildGraph({ model, tools, maxSteps: 3 }), 'loop forever');
    assert.equal(model.calls, 3);
    assert.equal(only(events, 'TOOL_CALL').length, 3);
    assert.equal(only(events, 'TOOL_RESULT').length, 3, "the last call's tools run, but the model is not asked again");
    assert.deepEqual(names(events).slice(-2), ['AGENT_ERROR', 'AGENT_END']);
    assert.equal(only(events, 'AGENT_ERROR')[0]!.data.code, 'step_limit');
  });

  it(`has a default budget of ${DEFAULT_MAX_STEPS} model calls`, async () => {
    const model = alwaysCalculate();
    const events = await run(buildGraph({ model, tools }), 'loop forever');
    assert.equal(model.calls, DEFAULT_MAX_STEPS);
    assert.equal(only(events, 'AGENT_ERROR')[0]!.data.code, 'step_limit');
  });

  it('lets a run that answers on its last allowed call finish', async () => {
    const model = new ScriptedChatModel((_m, call) =>
      call < 3 ? { toolCalls: [{ name: 'calculator', args: { expression: '2*3' } }] } : { text: 'Six.' },
    );
    const events = await run(buildGraph({ model, tools, maxSteps: 3 }), 'compute twice');
    assert.equal(only(events, 'AGENT_ERROR').length, 0);
    assert.equal(only(events, 'AGENT_END')[0]!.data.output, 'Six.');
  });

  it('answers tool calls a stopped run left open, so the next turn is a valid conversation', async () => {
    // A tool that runs until its run is cancelled.
    const wait = tool(
      (_input, config) =>
        new Promise<string>((_resolve, reject) =>
          config.signal?.addEventListener('abort', () => reject(config.signal!.reason)),
        ),
      {
        name: 'wait',
        description: 'Waits.',
        schema: z.object({}),
      },
    );
    const model = new ScriptedChatModel((messages, call) =>
      call === 1 ? { toolCalls: [{ name: 'wait', args: {} }] } : { text: `seen ${messages.length}` },
    );
    const graph = buildGraph({ model, tools: [wait] });
    const controller = new AbortController();
    const first: AgentEvent[] = [];
    for await (const e of runAgent(graph, { prompt: 'wait', sessionId: 'repair', signal: controller.signal })) {
      first.push(e);
      if (e.event === 'TOOL_CALL') controller.abort();
    }
    assert.equal(only(first, 'AGENT_ERROR')[0]!.data.code, 'cancelled');

    await run(graph, 'and now?', 'repair');
    const messages: BaseMessage[] = (await graph.getState({ configurable: { thread_id: 'repair' } })).values.messages;
    const [call] = messages.filter(isAIMessage).flatMap((m) => m.tool_calls ?? []);
    const result = messages.find(ToolMessage.isInstance)!;
    assert.equal(result.tool_call_id, call!.id);
    assert.equal(result.content, TOOL_NOT_RUN);
    assert.equal(result.status, 'error');
    // The result directly follows the message that asked for it, before the next question.
    assert.deepEqual(
      messages.map((m) => m.getType()),
      ['human', 'ai', 'tool', 'human', 'ai'],
    );
  });
});

describe('describeError', () => {
  const $metadata = { httpStatusCode: 400 };
  const cases: Array<[string, unknown, string]> = [
    [
      'Bedrock throttling',
      new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }),
      'model_throttled',
    ],
    [
      'a Bedrock outage',
      new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }),
      'model_unavailable',
    ],
    [
      'missing model access',
      new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }),
      'model_access_denied',
    ],
    ['a request Bedrock refuses', new ValidationException({ message: 'too long', $metadata }), 'model_rejected'],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'model_unavailable',
    ],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 'agent_error'],
  ];
  for (const [what, error, code] of cases) {
    it(`maps ${what} to ${code}`, () => assert.equal(describeError(error).code, code));
  }

  it('says cancelled, whatever the error, once the signal is aborted', () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(describeError(new Error('AbortError'), controller.signal).code, 'cancelled');
  });
});
