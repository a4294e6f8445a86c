import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { BoundedMemorySaver } from '../src/memory.ts';
import { OfflineChatModel } from '../src/offline-model.ts';
import type { RunningRuntime } from '../src/runtime.ts';
import { invoke, sseMessages, startRuntime } from './support/ag-ui.ts';
import { until } from './support/models.ts';

/**
 * The offline demo's approval over HTTP, as the BFF will drive it: every answer is a new
 * invocation on the same session, however long after, with the runtime between runs idle.
 */

async function events(response: Response): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const m of sseMessages(response)) out.push({ event: m.event, data: JSON.parse(m.data) } as AgentEvent);
  return out;
}

const named = (list: AgentEvent[], name: AgentEvent['event']) =>
  list.filter((e) => e.event === name).map((e) => e.data as Record<string, unknown>);
const status = async (runtime: RunningRuntime) =>
  ((await (await fetch(`${runtime.url}/ping`)).json()) as { status: string }).status;

describe('approvals over HTTP on Wire 1', () => {
  let runtime: RunningRuntime;
  before(async () => {
    runtime = await startRuntime(new OfflineChatModel(), { checkpointer: new BoundedMemorySaver(4) });
  });
  after(() => runtime.close());

  const say = async (sessionId: string, body: object) => events(await invoke(runtime.url, body, { sessionId }));

  it('saves a note with approval in a later request, after other sessions churned the checkpointer, then lists it', async () => {
    const session = 'http-notes-session-000000000000000000000';
    const paused = await say(session, { prompt: 'Save a note: buy milk' });
    assert.deepEqual(
      paused.map((e) => e.event).filter((e) => e !== 'LLM_TOKEN'),
      ['AGENT_START', 'TOOL_CALL', 'AGENT_INTERRUPT', 'AGENT_END'],
    );
    const [interrupt] = named(paused, 'AGENT_INTERRUPT');
    assert.equal(await status(runtime), 'Healthy', 'a paused run is over: nothing keeps the session busy');

    // The page reloads; meanwhile three other sessions talk (the checkpointer keeps four).
    for (const other of ['a', 'b', 'c']) {
      for (const prompt of ['What is 1+1?', 'What is that times 3?'])
        await say(`http-other-${other}-000000000000000000000000000`, { prompt });
    }

    const approved = await say(session, { resume: { id: interrupt!.id, approved: true } });
    assert.deepEqual(
      named(approved, 'TOOL_RESULT').map((r) => r.result),
      ['Saved note 1: buy milk'],
    );
    assert.deepEqual(
      named(approved, 'SUGGESTIONS').map((s) => s.items),
      [['What are my notes?']],
    );
    assert.equal(named(approved, 'AGENT_END')[0]!.output, 'I saved your note: "buy milk".');

    const listed = await say(session, { prompt: 'What are my notes?' });
    assert.equal(named(listed, 'AGENT_END')[0]!.output, 'Your notes:\n1. buy milk');
  });

  it('answers a JSON caller with the calls it waits on, and takes the answer as JSON', async () => {
    const session = 'http-json-session-0000000000000000000000';
    const ask = async (body: object) => {
      const response = await invoke(runtime.url, body, { sessionId: session, accept: 'application/json' });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const paused = await ask({ prompt: 'Remember that the meeting is at 3pm' });
    assert.equal(paused.status, 200);
    const [interrupt] = paused.body.interrupts as Array<{ id: string }>;
    assert.deepEqual(paused.body, {
      output: '',
      interrupts: [
        {
          id: interrupt!.id,
          kind: 'approval',
          tool: 'save_note',
          args: { text: 'the meeting is at 3pm' },
          reason: 'Save the note "the meeting is at 3pm"?',
        },
      ],
    });
    assert.deepEqual(await ask({ resume: { id: 'nope', approved: true } }), {
      status: 400,
      body: {
        error: {
          code: 'bad_request',
          message: `No call "nope" is waiting in this session (answered already, or never asked). It waits for: ${interrupt!.id}.`,
        },
      },
    });
    assert.deepEqual((await ask({ resume: { id: interrupt!.id, approved: true } })).body, {
      output: 'I saved your note: "the meeting is at 3pm".',
      suggestions: ['What are my notes?'],
    });
  });

  it('is busy while a resumed run streams and idle after, even when its caller hangs up; the session stays usable', async () => {
    // A model slow enough (over a second an answer) that the run is surely still going when /ping is asked.
    const slow = await startRuntime(new OfflineChatModel({ tokenDelayMs: 150 }));
    try {
      await busyThenIdle(slow);
    } finally {
      await slow.close();
    }
  });
});

/** A resumed run keeps the runtime busy until it ends, however it ends. */
async function busyThenIdle(runtime: RunningRuntime): Promise<void> {
  const say = async (sessionId: string, body: object) => events(await invoke(runtime.url, body, { sessionId }));
  const session = 'http-busy-session-0000000000000000000000';
  const [interrupt] = named(await say(session, { prompt: 'Save a note: water the plants' }), 'AGENT_INTERRUPT');
  const controller = new AbortController();
  const response = await invoke(
    runtime.url,
    { resume: { id: interrupt!.id, approved: true } },
    { sessionId: session, signal: controller.signal },
  );
  const seen: string[] = [];
  const reading = (async () => {
    for await (const m of sseMessages(response)) seen.push(m.event);
  })().catch(() => {});
  await until(() => seen.includes('TOOL_RESULT'), 'the approved tool ran');
  assert.equal(await status(runtime), 'HealthyBusy');
  controller.abort();
  await reading;
  await until(async () => (await status(runtime)) === 'Healthy', 'the runtime is idle again');

  // The note was saved before the hang-up; the cut answer left nothing pending.
  const again = await say(session, { resume: { id: interrupt!.id, approved: true } });
  assert.match(String(named(again, 'AGENT_ERROR')[0]!.message), /^Nothing in this session is waiting/);
  const listed = await say(session, { prompt: 'What are my notes?' });
  assert.equal(named(listed, 'AGENT_END')[0]!.output, 'Your notes:\n1. water the plants');
}
