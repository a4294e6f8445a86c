import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HttpAgent } from '@ag-ui/client';
import { type AGUIEvent, EventType, type Interrupt, type Message, type Tool } from '@ag-ui/core';
import { z } from 'zod';
import { APPROVAL_RESPONSE_SCHEMA } from '../../protocol/ag-ui.ts';
import { MOVED_ON } from '../src/approvals.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import type { RunningRuntime } from '../src/runtime.ts';
import { defineTool } from '../src/tools/define-tool.ts';
import { tools } from '../src/tools.ts';
import { agUiEvents, ask, client, collect, invoke, lastText, runInput, startRuntime } from './support/ag-ui.ts';
import { ScriptedChatModel } from './support/models.ts';

/**
 * Approvals, page tools and suggestions on AG-UI, judged by the official client: `@ag-ui/client`'s
 * HttpAgent checks every event, keeps the interrupts a run finished with, and refuses to start a
 * run on the thread until a `resume` answers all of them — so a run it accepts is one the spec
 * allows.
 */

let sessions = 0;
/** The official client on a session of its own. */
const newClient = (runtime: RunningRuntime) =>
  client(runtime, `agui-interrupt-session-${String(++sessions).padStart(16, '0')}`);

/** Runs the agent and returns how the run finished, the RUN_ERRORs and CUSTOM events it saw. */
async function runOnce(agent: HttpAgent, parameters: Parameters<HttpAgent['runAgent']>[0] = {}) {
  const finished: Array<{ outcome: string; interrupts?: Interrupt[]; pendingToolCallIds?: string[] }> = [];
  const errors: AGUIEvent[] = [];
  const custom: AGUIEvent[] = [];
  const results: string[] = [];
  await agent.runAgent(parameters, {
    onRunFinishedEvent: (params) =>
      void finished.push({
        outcome: params.outcome,
        ...('interrupts' in params && { interrupts: params.interrupts }),
        ...('pendingToolCallIds' in params && { pendingToolCallIds: params.pendingToolCallIds }),
      }),
    onRunErrorEvent: ({ event }) => void errors.push(event),
    onCustomEvent: ({ event }) => void custom.push(event),
    onToolCallResultEvent: ({ event }) => void results.push(String(event.content)),
  });
  return { finished: finished[0], errors, custom, results };
}

const accent: Tool = {
  name: 'set_accent_color',
  description: "Change the page's accent colour.",
  parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
};

describe('AG-UI approvals with HttpAgent', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await startRuntime(new OfflineChatModel());
  });
  after(() => runtime.close());

  it('finishes with an interrupt outcome, is refused new input until resumed, and runs the tool on approval', async () => {
    const agent = newClient(runtime);
    ask(agent, 'Save a note: buy milk');
    const paused = await runOnce(agent);
    assert.equal(paused.finished?.outcome, 'interrupt');
    const [interrupt] = agent.pendingInterrupts;
    const call = agent.messages.at(-1);
    assert.ok(call?.role === 'assistant' && call.toolCalls?.[0]?.function.name === 'save_note');
    assert.deepEqual(interrupt, {
      id: call.toolCalls![0]!.id,
      reason: 'tool_call',
      toolCallId: call.toolCalls![0]!.id,
      message: 'Save the note "buy milk"?',
      responseSchema: APPROVAL_RESPONSE_SCHEMA,
      metadata: { tool: 'save_note', args: { text: 'buy milk' } },
    });

    // The official client will not start a run on the thread while the interrupt is unanswered.
    await assert.rejects(agent.runAgent(), /pending interrupt\(s\) not addressed by resume/);

    const resumed = await runOnce(agent, {
      resume: [{ interruptId: interrupt!.id, status: 'resolved', payload: { approved: true } }],
    });
    assert.equal(resumed.finished?.outcome, 'success');
    assert.deepEqual(resumed.results, ['Saved note 1: buy milk']);
    assert.deepEqual(agent.pendingInterrupts, []);
    assert.equal(lastText(agent), 'I saved your note: "buy milk".');
    assert.deepEqual(
      resumed.custom.map((e) => e.type === EventType.CUSTOM && [e.name, e.value]),
      [['suggestions', { items: ['What are my notes?'] }]],
    );

    ask(agent, 'What are my notes?');
    await runOnce(agent);
    assert.equal(lastText(agent), 'Your notes:\n1. buy milk');
  });

  it('hands a denial and its note to the model, and treats "cancelled" as a denial without one', async () => {
    for (const [answer, said] of [
      [
        { status: 'resolved', payload: { approved: false, note: 'not today' } },
        'OK, I didn\'t save the note. You said: "not today".',
      ],
      [{ status: 'cancelled' }, "OK, I didn't save the note."],
    ] as const) {
      const agent = newClient(runtime);
      ask(agent, 'Save a note: call mom');
      await runOnce(agent);
      const resumed = await runOnce(agent, { resume: [{ interruptId: agent.pendingInterrupts[0]!.id, ...answer }] });
      assert.equal(resumed.finished?.outcome, 'success');
      assert.equal(lastText(agent), said);
      ask(agent, 'What are my notes?');
      await runOnce(agent);
      assert.equal(lastText(agent), 'You have no notes in this session yet.');
    }
  });

  it('declines a pending call when a new message comes with the interrupt cancelled, and answers the message', async () => {
    const agent = newClient(runtime);
    ask(agent, 'Save a note: buy milk');
    await runOnce(agent);
    const [interrupt] = agent.pendingInterrupts;
    ask(agent, 'What is 2+2?');
    const moved = await runOnce(agent, { resume: [{ interruptId: interrupt!.id, status: 'cancelled' }] });
    assert.equal(moved.finished?.outcome, 'success');
    assert.deepEqual(moved.results, [MOVED_ON.approval, '4']);
    assert.equal(lastText(agent), 'The result of 2+2 is 4.');
    const declined = agent.messages.find((m) => m.role === 'tool' && m.toolCallId === interrupt!.toolCallId);
    assert.equal(
      declined?.role === 'tool' && declined.content,
      MOVED_ON.approval,
      'the card’s call has its result in the conversation',
    );
  });

  it('answers a stale resume with RUN_ERROR bad_request, and the thread goes on', async () => {
    const agent = newClient(runtime);
    ask(agent, 'Save a note: buy milk');
    await runOnce(agent);
    const [interrupt] = agent.pendingInterrupts;
    const answer = {
      resume: [{ interruptId: interrupt!.id, status: 'resolved' as const, payload: { approved: true } }],
    };
    await runOnce(agent, answer);
    const replayed = await runOnce(agent, answer);
    assert.deepEqual(
      replayed.errors.map((e) => e.type === EventType.RUN_ERROR && [e.code, e.message]),
      [
        [
          'bad_request',
          'Nothing in this session is waiting for an answer: the call was answered already, or the session has expired.',
        ],
      ],
    );
    ask(agent, 'What are my notes?');
    await runOnce(agent);
    assert.equal(lastText(agent), 'Your notes:\n1. buy milk', 'saved once');
  });
});

describe('AG-UI approvals against the spec’s contract rules (raw inputs)', () => {
  let runtime: RunningRuntime;
  let sends = 0;
  before(async () => {
    const send = defineTool(
      ({ text }) => {
        sends++;
        return `sent ${text}`;
      },
      { name: 'send', description: 'Sends.', schema: z.object({ text: z.string() }), needsApproval: true },
    );
    const model = new ScriptedChatModel((messages) => {
      const last = messages.at(-1)!;
      if (last.getType() === 'human' && last.text === 'send two') {
        return {
          toolCalls: [
            { name: 'send', args: { text: 'a' } },
            { name: 'send', args: { text: 'b' } },
          ],
        };
      }
      return { text: `ok: ${last.text}` };
    });
    runtime = await startRuntime(model, { tools: [...tools, send] });
  });
  after(() => runtime.close());

  /** Runs a raw RunAgentInput and returns its events. */
  const post = async (body: unknown, sessionId: string) =>
    collect(agUiEvents(await invoke(runtime.url, body, { sessionId })));
  const errorOf = (events: AGUIEvent[]) => {
    assert.deepEqual(
      events.map((e) => e.type),
      [EventType.RUN_ERROR],
      'a lone RUN_ERROR',
    );
    const [error] = events;
    assert.ok(error?.type === EventType.RUN_ERROR && error.code === 'bad_request');
    return error.message;
  };

  it('refuses a partial resume (rule 3), new input without resume (rule 4) and bad payloads; answers a complete one', async () => {
    const session = 'agui-rules-session-000000000000000000000';
    const paused = await post(runInput('send two'), session);
    const finished = paused.at(-1);
    assert.ok(finished?.type === EventType.RUN_FINISHED && finished.outcome?.type === 'interrupt');
    const [a, b] = finished.outcome.interrupts;
    // The client's view: the question, and the assistant message with the calls the run paused on.
    const calls = [a!, b!].map((i) => ({
      id: i.id,
      type: 'function' as const,
      function: { name: 'send', arguments: '{}' },
    }));
    const conversation: Message[] = [
      { id: 'u', role: 'user', content: 'send two' },
      { id: 'm', role: 'assistant', toolCalls: calls },
    ];
    const resume = (entries: unknown[]) => ({ ...runInput('x'), messages: conversation, resume: entries });
    const approve = (id: string) => ({ interruptId: id, status: 'resolved', payload: { approved: true } });

    assert.match(
      errorOf(await post(resume([approve(a!.id)]), session)),
      new RegExp(`must answer every waiting call; missing: ${b!.id}`),
    );
    assert.match(
      errorOf(await post({ ...runInput('x'), messages: conversation }, session)),
      /must be a user message with text, or tool messages/,
    );
    assert.match(
      errorOf(await post(resume([approve(a!.id), approve(a!.id)]), session)),
      /answers interrupt ".*" twice/,
    );
    assert.match(
      errorOf(await post(resume([approve(a!.id), approve('tooluse_made_up')]), session)),
      /No call "tooluse_made_up" is waiting/,
    );
    for (const payload of [
      undefined,
      { approved: 'yes' },
      { approved: true, note: 7 },
      { approved: true, editedArgs: { text: 'z' } },
    ]) {
      assert.match(
        errorOf(await post(resume([approve(a!.id), { interruptId: b!.id, status: 'resolved', payload }]), session)),
        /payload must be \{approved: boolean, note\?: string\}/,
      );
    }
    assert.equal(sends, 0, 'nothing ran on a refused input');

    const done = await post(
      resume([approve(a!.id), { interruptId: b!.id, status: 'resolved', payload: { approved: false, note: 'not b' } }]),
      session,
    );
    assert.deepEqual(
      done.flatMap((e) => (e.type === EventType.TOOL_CALL_RESULT ? [[e.toolCallId, e.content]] : [])),
      [
        [b!.id, 'The user declined this call, so it was not run. Their note: "not b"'],
        [a!.id, 'sent a'],
      ],
    );
    assert.equal(sends, 1);
    const last = done.at(-1);
    assert.ok(last?.type === EventType.RUN_FINISHED && last.outcome === undefined, 'an ordinary finish');
  });

  it('answers a new message without resume by declining the pending calls (the lead’s rule, more lenient than rule 4)', async () => {
    const session = 'agui-lenient-session-0000000000000000000';
    await post(runInput('send two'), session);
    const events = await post(runInput('forget it', [{ id: 'u', role: 'user', content: 'send two' }]), session);
    assert.deepEqual(
      events.flatMap((e) => (e.type === EventType.TOOL_CALL_RESULT ? [e.content] : [])),
      [MOVED_ON.approval, MOVED_ON.approval],
    );
    assert.equal(events.at(-1)?.type, EventType.RUN_FINISHED);
    assert.equal(sends, 1, 'still only the earlier approved send');
  });

  it('refuses to approve and move on at once', async () => {
    const session = 'agui-both-session-000000000000000000000';
    const paused = await post(runInput('send two'), session);
    const finished = paused.at(-1);
    assert.ok(finished?.type === EventType.RUN_FINISHED && finished.outcome?.type === 'interrupt');
    const entries = finished.outcome.interrupts.map((i) => ({
      interruptId: i.id,
      status: 'resolved',
      payload: { approved: true },
    }));
    const message = errorOf(await post({ ...runInput('and also this'), resume: entries }, session));
    assert.equal(
      message,
      'A new message declines the calls waiting for approval: approve them, or send the message, not both.',
    );
  });

  it('refuses a resume when nothing waits', async () => {
    const events = await post(
      { ...runInput('x'), messages: [], resume: [{ interruptId: 'abc', status: 'cancelled' }] },
      'agui-nothing-session-00000000000000000000',
    );
    assert.match(errorOf(events), /^Nothing in this session is waiting for an answer/);
  });
});

describe('AG-UI page tools with HttpAgent (the frontend-tool convention)', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await startRuntime(new OfflineChatModel());
  });
  after(() => runtime.close());

  it('streams the call, finishes with pendingToolCallIds, and continues from the tool message the client adds', async () => {
    const agent = newClient(runtime);
    ask(agent, 'Make the page green');
    const stopped = await runOnce(agent, { tools: [accent] });
    const call = agent.messages.at(-1);
    assert.ok(call?.role === 'assistant');
    const [toolCall] = call.toolCalls ?? [];
    assert.deepEqual(
      [toolCall?.function.name, JSON.parse(toolCall!.function.arguments)],
      ['set_accent_color', { color: 'green' }],
    );
    assert.deepEqual(stopped.finished, { outcome: 'success', pendingToolCallIds: [toolCall!.id] });
    assert.deepEqual(agent.pendingInterrupts, [], 'not an interrupt: the run completed, leaving the call to the page');

    // The page runs its handler and answers in the next input's messages.
    agent.addMessage({ id: 'page-result', role: 'tool', toolCallId: toolCall!.id, content: 'Accent is now green.' });
    const resumed = await runOnce(agent, { tools: [accent] });
    assert.equal(resumed.finished?.outcome, 'success');
    assert.deepEqual(resumed.results, [], 'the client’s own result is not echoed back');
    assert.equal(lastText(agent), "Done: the page's accent colour is now green.");
    assert.equal(agent.messages.filter((m) => m.role === 'tool').length, 1);
  });

  it('hands the model a failed page tool (ToolMessage.error), and refuses results when nothing waits', async () => {
    const agent = newClient(runtime);
    ask(agent, 'change the accent colour to #ff8800');
    const stopped = await runOnce(agent, { tools: [accent] });
    const [id] = stopped.finished!.pendingToolCallIds!;
    agent.addMessage({ id: 'page-error', role: 'tool', toolCallId: id!, content: '', error: 'timed out' });
    await runOnce(agent, { tools: [accent] });
    assert.equal(lastText(agent), "The page couldn't change its accent colour: timed out");

    agent.addMessage({ id: 'stray', role: 'tool', toolCallId: id!, content: 'again' });
    const stray = await runOnce(agent, { tools: [accent] });
    assert.deepEqual(
      stray.errors.map((e) => e.type === EventType.RUN_ERROR && e.code),
      ['bad_request'],
    );
  });

  it('uses a result the page already sent when the user moves on, and declines the rest', async () => {
    const agent = newClient(runtime);
    ask(agent, 'Make the page green');
    await runOnce(agent, { tools: [accent] });
    ask(agent, 'What is 3*3?');
    const moved = await runOnce(agent, { tools: [accent] });
    assert.deepEqual(moved.results, [MOVED_ON.page_tool, '9']);
    assert.equal(lastText(agent), 'The result of 3*3 is 9.');
  });
});
