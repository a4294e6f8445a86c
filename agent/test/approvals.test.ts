import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { z } from 'zod';
import type { AgentEventData, AgentEvent } from '../../protocol/agent-events.ts';
import { runAgent, type RunInput } from '../src/agent-events.ts';
import { MOVED_ON, declined, readRefusal } from '../src/approvals.ts';
import { buildGraph, type GraphOptions } from '../src/graph.ts';
import { BoundedMemorySaver, TOOL_NOT_RUN } from '../src/memory.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import { readSession } from '../src/pause.ts';
import { approvalQuestion, defineTool } from '../src/tools/define-tool.ts';
import { NOTE_MAX_CHARS, NOTES_MAX, saveNote } from '../src/tools/notes.ts';
import { tools } from '../src/tools.ts';
import { ScriptedChatModel, TickerChatModel, type Turn, until } from './support/models.ts';

/**
 * Approvals on Wire 1, on the real graph and checkpointer: a tool marked `needsApproval` pauses
 * the run before it acts, a resume answers it, and nothing runs twice or unasked.
 */

type Event = AgentEvent;

/** A tool that acts (it records each run) and needs approval: always, or for some arguments. */
function actingTool(name = 'send', needsApproval: boolean | ((args: { text: string }) => boolean) = true) {
  const runs: string[] = [];
  const tool = defineTool(
    ({ text }) => {
      runs.push(text);
      return `${name} done: ${text}`;
    },
    {
      name,
      description: `Does ${name}.`,
      schema: z.object({ text: z.string() }),
      needsApproval,
      approvalPrompt: ({ text }) => `${name} "${text}"?`,
    },
  );
  return { tool, runs };
}

async function run(
  graph: ReturnType<typeof buildGraph>,
  input: Partial<RunInput> & { sessionId?: string },
): Promise<Event[]> {
  const events: Event[] = [];
  for await (const e of runAgent(graph, { prompt: undefined, sessionId: 'session', ...input })) events.push(e);
  return events;
}

const names = (events: Event[]) => events.map((e) => e.event).filter((name) => name !== 'LLM_TOKEN');
type Data = AgentEventData;
function only<K extends keyof Data>(events: Event[], name: K): Array<Data[K]> {
  return events.flatMap((e) => (e.event === name ? [e.data as Data[K]] : []));
}
const lastTool = (messages: BaseMessage[]) => messages.findLast(ToolMessage.isInstance);

/** A model that calls `calls` on the first turn and then answers with what the tools said. */
function callsThenAnswers(calls: Turn) {
  return new ScriptedChatModel((messages, call) => {
    if (call === 1) return calls;
    const results = messages.filter(ToolMessage.isInstance).map((m) => `${m.name}: ${m.text}`);
    return { text: `Answer after ${results.join(' | ')}` };
  });
}

function graphWith(
  model: ScriptedChatModel | OfflineChatModel | TickerChatModel,
  extra: GraphOptions['tools'],
  options: Partial<GraphOptions> = {},
) {
  return buildGraph({ model, tools: [...tools, ...extra], ...options });
}

describe('approvals on Wire 1', () => {
  it('pauses before the tool acts, ends the run cleanly, and runs it once when approved', async () => {
    const { tool, runs } = actingTool();
    const model = callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: 'hello' } }] });
    const graph = graphWith(model, [tool]);

    const paused = await run(graph, { prompt: 'send hello' });
    assert.deepEqual(names(paused), ['AGENT_START', 'TOOL_CALL', 'AGENT_INTERRUPT', 'AGENT_END']);
    const [interrupt] = only(paused, 'AGENT_INTERRUPT');
    const [call] = only(paused, 'TOOL_CALL');
    assert.deepEqual(
      { ...interrupt, timestamp: '' },
      { timestamp: '', id: call!.id, kind: 'approval', tool: 'send', args: { text: 'hello' }, reason: 'send "hello"?' },
    );
    assert.deepEqual(runs, [], 'nothing ran before the answer');
    assert.equal(model.calls, 1);

    const resumed = await run(graph, { resume: { id: interrupt!.id, approved: true } });
    assert.deepEqual(names(resumed), ['AGENT_START', 'TOOL_RESULT', 'LLM_RESPONSE', 'AGENT_END']);
    assert.deepEqual(only(resumed, 'TOOL_RESULT')[0], {
      timestamp: only(resumed, 'TOOL_RESULT')[0]!.timestamp,
      id: call!.id,
      tool: 'send',
      result: 'send done: hello',
    });
    assert.equal(only(resumed, 'AGENT_END')[0]!.output, 'Answer after send: send done: hello');
    assert.deepEqual(runs, ['hello'], 'it ran exactly once');
    assert.equal((await readSession(graph, 'session')).pause, undefined);
  });

  it('lets a denial reach the model as the tool result, with the user’s note, and never runs the tool', async () => {
    const { tool, runs } = actingTool();
    let seen: ToolMessage | undefined;
    const model = new ScriptedChatModel((messages, call) => {
      if (call === 1) return { toolCalls: [{ name: 'send', args: { text: 'hello' } }] };
      seen = lastTool(messages);
      return { text: 'Understood, not sent.' };
    });
    const graph = graphWith(model, [tool]);
    const [interrupt] = only(await run(graph, { prompt: 'send hello' }), 'AGENT_INTERRUPT');
    const resumed = await run(graph, { resume: { id: interrupt!.id, approved: false, note: 'wrong "recipient"' } });
    assert.deepEqual(only(resumed, 'TOOL_RESULT')[0]!, {
      timestamp: only(resumed, 'TOOL_RESULT')[0]!.timestamp,
      id: interrupt!.id,
      tool: 'send',
      error: 'The user declined this call, so it was not run. Their note: "wrong \\"recipient\\""',
    });
    assert.equal(seen?.status, 'error');
    assert.equal(seen?.text, declined('wrong "recipient"'));
    assert.deepEqual(readRefusal(seen!.text), { note: 'wrong "recipient"' });
    assert.equal(only(resumed, 'AGENT_END')[0]!.output, 'Understood, not sent.');
    assert.deepEqual(runs, []);
  });

  it('asks only about the calls its rule picks, and runs the others without asking', async () => {
    const { tool, runs } = actingTool('send', ({ text }) => text.startsWith('!'));
    const graph = graphWith(callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: 'quiet' } }] }), [tool]);
    assert.deepEqual(
      names(await run(graph, { prompt: 'send quiet', sessionId: 'a' })).includes('AGENT_INTERRUPT'),
      false,
    );
    assert.deepEqual(runs, ['quiet']);
    const loud = graphWith(callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: '!loud' } }] }), [tool]);
    assert.ok(names(await run(loud, { prompt: 'send loud', sessionId: 'b' })).includes('AGENT_INTERRUPT'));
    assert.deepEqual(runs, ['quiet']);
  });

  it('asks when its rule throws: running unasked is the one outcome an approval must not have', async () => {
    const { tool, runs } = actingTool('send', () => {
      throw new Error('rule bug');
    });
    const errors = console.error;
    console.error = () => {};
    try {
      const graph = graphWith(callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: 'x' } }] }), [tool]);
      assert.equal(only(await run(graph, { prompt: 'go' }), 'AGENT_INTERRUPT')[0]!.reason, 'Run send?');
      assert.deepEqual(runs, []);
    } finally {
      console.error = errors;
    }
  });

  it('holds a whole model step until the approval: a parallel call that needs none runs once, after it', async () => {
    const { tool, runs } = actingTool();
    let calculations = 0;
    const counter = defineTool(() => String(++calculations), {
      name: 'count',
      description: 'Counts.',
      schema: z.object({}),
    });
    const graph = graphWith(
      callsThenAnswers({
        toolCalls: [
          { name: 'count', args: {} },
          { name: 'send', args: { text: 'hi' } },
        ],
      }),
      [tool, counter],
    );
    const paused = await run(graph, { prompt: 'count and send' });
    assert.deepEqual(names(paused), ['AGENT_START', 'TOOL_CALL', 'TOOL_CALL', 'AGENT_INTERRUPT', 'AGENT_END']);
    assert.equal(calculations, 0, 'the step waits as a whole');
    const [interrupt] = only(paused, 'AGENT_INTERRUPT');
    const resumed = await run(graph, { resume: { id: interrupt!.id, approved: true } });
    assert.deepEqual(
      only(resumed, 'TOOL_RESULT').map((r) => 'result' in r && r.result),
      ['1', 'send done: hi'],
    );
    assert.equal(calculations, 1);
    assert.deepEqual(runs, ['hi']);
  });

  it('asks about several calls at once, and asks again about those a resume left unanswered', async () => {
    const { tool, runs } = actingTool();
    const graph = graphWith(
      callsThenAnswers({
        toolCalls: [
          { name: 'send', args: { text: 'one' } },
          { name: 'send', args: { text: 'two' } },
        ],
      }),
      [tool],
    );
    const paused = await run(graph, { prompt: 'send both' });
    const [first, second] = only(paused, 'AGENT_INTERRUPT');
    assert.deepEqual([first!.args, second!.args], [{ text: 'one' }, { text: 'two' }]);

    const partly = await run(graph, { resume: { id: second!.id, approved: false } });
    assert.deepEqual(names(partly), ['AGENT_START', 'AGENT_INTERRUPT', 'AGENT_END']);
    assert.equal(only(partly, 'AGENT_INTERRUPT')[0]!.id, first!.id, 'only the unanswered call is asked about again');
    assert.deepEqual(runs, []);
    // The answered call is answered: asking about it again is refused, and changes nothing.
    const again = await run(graph, { resume: { id: second!.id, approved: true } });
    assert.match(only(again, 'AGENT_ERROR')[0]!.message, /No call ".*" is waiting in this session/);

    const done = await run(graph, { resume: { id: first!.id, approved: true } });
    assert.deepEqual(
      only(done, 'TOOL_RESULT').map((r) => ('result' in r ? r.result : r.error)),
      ['The user declined this call, so it was not run.', 'send done: one'],
    );
    assert.deepEqual(runs, ['one'], 'the denied one never ran, the approved one once');
  });

  it('refuses a stale, unknown or mistyped answer as bad_request, and the pause is still there to answer', async () => {
    const { tool, runs } = actingTool();
    const graph = graphWith(callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: 'x' } }] }), [tool]);
    const bad = async (input: Partial<RunInput>) => {
      const events = await run(graph, input);
      assert.deepEqual(names(events), ['AGENT_START', 'AGENT_ERROR', 'AGENT_END']);
      const [error] = only(events, 'AGENT_ERROR');
      assert.equal(error!.code, 'bad_request');
      return error!.message;
    };
    assert.match(
      await bad({ resume: { id: 'nothing', approved: true } }),
      /^Nothing in this session is waiting for an answer/,
    );
    const [interrupt] = only(await run(graph, { prompt: 'send' }), 'AGENT_INTERRUPT');
    assert.match(
      await bad({ resume: { id: 'call_9_9', approved: true } }),
      new RegExp(`No call "call_9_9" is waiting.*It waits for: ${interrupt!.id}\\.$`),
    );
    assert.match(await bad({ resume: { id: interrupt!.id, result: 'page says hi' } }), /waits for an approval/);
    assert.match(
      await bad({ resume: { id: interrupt!.id, approved: 'yes' } }),
      /^"resume" must be \{id, approved: boolean/,
    );
    assert.match(await bad({ resume: { id: interrupt!.id, approved: true, error: 'x' } }), /^"resume" must be/);
    assert.match(
      await bad({ resume: { id: interrupt!.id, approved: false, note: 'n'.repeat(1001) } }),
      /note is longer than 1000/,
    );
    assert.match(await bad({ resume: [interrupt!.id] }), /^"resume" must be/);
    assert.match(
      await bad({ prompt: 'hi', resume: { id: interrupt!.id, approved: true } }),
      /either "prompt" or "resume"/,
    );
    assert.deepEqual(runs, []);
    assert.equal((await readSession(graph, 'session')).pause?.request.items[0]?.id, interrupt!.id);
    await run(graph, { resume: { id: interrupt!.id, approved: true } });
    assert.deepEqual(runs, ['x']);
    assert.match(await bad({ resume: { id: interrupt!.id, approved: true } }), /^Nothing in this session is waiting/);
    assert.deepEqual(runs, ['x'], 'a replayed approval does not run the tool again');
  });

  it('declines every waiting call when a new message comes instead, and answers the message', async () => {
    const { tool, runs } = actingTool();
    let seen: BaseMessage[] = [];
    const model = new ScriptedChatModel((messages, call) => {
      if (call === 1)
        return {
          toolCalls: [
            { name: 'send', args: { text: 'x' } },
            { name: 'calculator', args: { expression: '1+1' } },
          ],
        };
      seen = messages;
      return { text: 'About the weather: sunny.' };
    });
    const graph = graphWith(model, [tool]);
    const paused = await run(graph, { prompt: 'send x and add' });
    const [send, calc] = only(paused, 'TOOL_CALL');

    const moved = await run(graph, { prompt: 'Never mind. Weather?' });
    assert.deepEqual(names(moved), ['AGENT_START', 'TOOL_RESULT', 'TOOL_RESULT', 'LLM_RESPONSE', 'AGENT_END']);
    assert.deepEqual(
      only(moved, 'TOOL_RESULT').map((r) => [r.id, 'error' in r && r.error]),
      [
        [send!.id, MOVED_ON.approval],
        [calc!.id, TOOL_NOT_RUN],
      ],
    );
    // The model sees the call declined, then the new message, and answers that.
    const tail = seen.slice(-4).map((m) => `${m.getType()}: ${m.text}`);
    assert.deepEqual(tail, [
      `tool: ${MOVED_ON.approval}`,
      `tool: ${TOOL_NOT_RUN}`,
      'ai: (This turn ended there.)',
      'human: Never mind. Weather?',
    ]);
    assert.equal(only(moved, 'AGENT_END')[0]!.output, 'About the weather: sunny.');
    assert.deepEqual(runs, []);
    assert.equal((await readSession(graph, 'session')).pause, undefined);
    assert.match(
      only(await run(graph, { resume: { id: send!.id, approved: true } }), 'AGENT_ERROR')[0]!.message,
      /^Nothing in this session/,
    );
    assert.deepEqual(runs, []);
  });

  it('resumes in a later request after other sessions churned the bounded checkpointer, and forgets it with the session', async () => {
    const { tool, runs } = actingTool();
    const model = new ScriptedChatModel((messages) => {
      const last = messages.at(-1)!;
      if (HumanMessage.isInstance(last) && last.text.startsWith('send'))
        return { toolCalls: [{ name: 'send', args: { text: last.text } }] };
      return { text: `ok: ${last.text}` };
    });
    const checkpointer = new BoundedMemorySaver(3);
    const graph = graphWith(model, [tool], { checkpointer });
    const pause = async (sessionId: string) =>
      only(await run(graph, { prompt: `send from ${sessionId}`, sessionId }), 'AGENT_INTERRUPT')[0]!;
    const chat = async (sessionId: string, turns: number) => {
      for (let i = 0; i < turns; i++) await run(graph, { prompt: `turn ${i}`, sessionId });
    };

    // Session "kept" pauses; two others keep the checkpointer busy (within its 3 sessions).
    const kept = await pause('kept');
    await chat('other-1', 4);
    await chat('other-2', 4);
    const resumed = await run(graph, { resume: { id: kept.id, approved: true }, sessionId: 'kept' });
    assert.deepEqual(
      only(resumed, 'TOOL_RESULT').map((r) => 'result' in r && r.result),
      ['send done: send from kept'],
    );
    assert.deepEqual(runs, ['send from kept']);

    // Session "lost" pauses, then three other sessions push it out: its pause goes with its memory.
    const lost = await pause('lost');
    for (const other of ['other-3', 'other-4', 'other-5']) await chat(other, 1);
    const late = await run(graph, { resume: { id: lost.id, approved: true }, sessionId: 'lost' });
    assert.match(
      only(late, 'AGENT_ERROR')[0]!.message,
      /^Nothing in this session is waiting for an answer: .*the session has expired/,
    );
    assert.deepEqual(runs, ['send from kept']);
  });

  it('gives a resumed run its own step budget of AGENT_MAX_STEPS model calls', async () => {
    for (const maxSteps of [1, 3]) {
      const { tool } = actingTool();
      const model = new ScriptedChatModel((_messages, call) =>
        call === 1
          ? { toolCalls: [{ name: 'send', args: { text: 'x' } }] }
          : { toolCalls: [{ name: 'calculator', args: { expression: '1+1' } }] },
      );
      const graph = graphWith(model, [tool], { maxSteps });
      const [interrupt] = only(await run(graph, { prompt: 'go' }), 'AGENT_INTERRUPT');
      const resumed = await run(graph, { resume: { id: interrupt!.id, approved: true } });
      assert.equal(only(resumed, 'AGENT_ERROR')[0]!.code, 'step_limit');
      assert.equal(model.calls, 1 + maxSteps, `the resumed run made ${maxSteps} model calls`);
    }
  });

  it('stops a resumed run when its caller hangs up; the session then answers as usual', async () => {
    const { tool, runs } = actingTool();
    const ticker = new TickerChatModel();
    let first = true;
    const model = new ScriptedChatModel((messages) => {
      if (first) {
        first = false;
        return { toolCalls: [{ name: 'send', args: { text: 'x' } }] };
      }
      return { text: `fine: ${messages.at(-1)!.text}` };
    });
    // The approved tool runs, then the model thinks forever until the caller hangs up.
    const graph = graphWith(model, [tool]);
    const [interrupt] = only(await run(graph, { prompt: 'go' }), 'AGENT_INTERRUPT');
    const slow = graphWith(ticker, [tool], {
      checkpointer: (graph as unknown as { checkpointer: GraphOptions['checkpointer'] }).checkpointer,
    });
    const controller = new AbortController();
    const events: Event[] = [];
    const resuming = (async () => {
      for await (const e of runAgent(slow, {
        prompt: undefined,
        sessionId: 'session',
        resume: { id: interrupt!.id, approved: true },
        signal: controller.signal,
      }))
        events.push(e);
    })();
    await until(() => events.some((e) => e.event === 'LLM_TOKEN'), 'the resumed run streams');
    controller.abort();
    await resuming;
    assert.equal(only(events, 'AGENT_ERROR')[0]!.code, 'cancelled');
    assert.equal(events.at(-1)!.event, 'AGENT_END');
    await until(() => ticker.producing === 0, 'the model call stopped');
    assert.deepEqual(runs, ['x'], 'the approved tool ran once, before the cancelled model call');
    assert.equal((await readSession(graph, 'session')).pause, undefined);
    const after = await run(graph, { prompt: 'still there?' });
    assert.equal(only(after, 'AGENT_END')[0]!.output, 'fine: still there?');
  });

  it('refuses a second answer while the first is still running, so a double-click cannot run the tool twice', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const slowTool = defineTool(
      async ({ text }) => {
        runs.push(text);
        await gate;
        return 'done';
      },
      { name: 'send', description: 'Sends.', schema: z.object({ text: z.string() }), needsApproval: true },
    );
    const graph = graphWith(callsThenAnswers({ toolCalls: [{ name: 'send', args: { text: 'x' } }] }), [slowTool]);
    const [interrupt] = only(await run(graph, { prompt: 'go' }), 'AGENT_INTERRUPT');
    const answer = { resume: { id: interrupt!.id, approved: true } };
    const first = run(graph, answer);
    await until(() => runs.length === 1, 'the first answer runs the tool');
    const second = await run(graph, answer);
    assert.match(only(second, 'AGENT_ERROR')[0]!.message, /^A run is in progress in this session/);
    release();
    assert.deepEqual(
      only(await first, 'TOOL_RESULT').map((r) => 'result' in r && r.result),
      ['done'],
    );
    assert.deepEqual(runs, ['x']);
  });
});

describe('the offline save_note flow on Wire 1', () => {
  it('saves a note with approval, lists it, and keeps declined notes out', async () => {
    const graph = buildGraph({ model: new OfflineChatModel(), tools });
    const ask = (prompt: string) => run(graph, { prompt, sessionId: 'notes' });
    const answer = (id: string, approved: boolean, note?: string) =>
      run(graph, { resume: { id, approved, ...(note && { note }) }, sessionId: 'notes' });

    const [save] = only(await ask('Save a note: buy milk'), 'AGENT_INTERRUPT');
    assert.deepEqual(
      [save!.tool, save!.args, save!.reason],
      ['save_note', { text: 'buy milk' }, 'Save the note "buy milk"?'],
    );
    const saved = await answer(save!.id, true);
    assert.equal(only(saved, 'AGENT_END')[0]!.output, 'I saved your note: "buy milk".');
    assert.deepEqual(only(saved, 'SUGGESTIONS')[0]!.items, ['What are my notes?']);

    const [remember] = only(await ask('Remember that the meeting is at 3pm.'), 'AGENT_INTERRUPT');
    assert.deepEqual(remember!.args, { text: 'the meeting is at 3pm' });
    const refused = await answer(remember!.id, false, 'not this one');
    assert.equal(only(refused, 'AGENT_END')[0]!.output, 'OK, I didn\'t save the note. You said: "not this one".');

    const listed = await ask('What are my notes?');
    assert.deepEqual(
      names(listed),
      ['AGENT_START', 'TOOL_CALL', 'TOOL_RESULT', 'LLM_RESPONSE', 'AGENT_END'],
      'reading needs no approval',
    );
    assert.equal(only(listed, 'AGENT_END')[0]!.output, 'Your notes:\n1. buy milk');
    const other = await run(graph, { prompt: 'What are my notes?', sessionId: 'someone-else' });
    assert.equal(
      only(other, 'AGENT_END')[0]!.output,
      'You have no notes in this session yet.',
      'notes are per session',
    );
  });
});

describe('save_note’s bounds', () => {
  const call = (text: string, notes: string[]) =>
    saveNote.invoke({ id: 'c', name: 'save_note', args: { text }, type: 'tool_call' }, {
      state: { notes },
      toolCallId: 'c',
    } as never);

  it(`keeps at most ${NOTES_MAX} notes of at most ${NOTE_MAX_CHARS} characters, and asks only about notes it could save`, async () => {
    const full = Array.from({ length: NOTES_MAX }, (_, i) => `note ${i}`);
    await assert.rejects(call('one more', full), /This session already keeps 20 notes, the most it can\./);
    await assert.rejects(call('x'.repeat(NOTE_MAX_CHARS + 1), []), /did not match expected schema/);
    assert.equal(
      approvalQuestion(saveNote, { text: 'x'.repeat(NOTE_MAX_CHARS + 1) }),
      undefined,
      'a call that will fail is not asked about',
    );
    assert.equal(approvalQuestion(saveNote, { text: '  buy milk ' }), 'Save the note "buy milk"?');
  });
});
