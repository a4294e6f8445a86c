import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AGENT_ERRORS } from '../../protocol/agent-errors.ts';
import { type ReceivedEvent, chat } from '../support/chat-client.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Approvals and page tools on the real path — BFF → AWS SDK → local AgentCore gateway → runtime →
 * LangGraph, on the offline model — as the widget drives them: each answer is a new POST on the
 * conversation, with the same page tools.
 */

const ACCENT = {
  name: 'set_accent_color',
  description: "Set the page's accent colour.",
  parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
};

/** The events of a run without its tokens, as [event, data]. */
const outline = (events: ReceivedEvent[]) =>
  events.filter((e) => e.event !== 'token').map(({ event, data }) => [event, data] as const);
const dataOf = (events: ReceivedEvent[], name: string) => events.find((e) => e.event === name)?.data;

describe('approvals and page tools on the real path', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const say = async (body: Record<string, unknown>) => {
    const { status, events } = await chat(stack.url, body);
    assert.equal(status, 200);
    return events;
  };

  it('asks before saving a note, saves it once approved, suggests what to ask next, and lists it', async () => {
    const session_id = 'approve-note';
    const paused = await say({ message: 'Save a note: buy milk', session_id });
    const call = dataOf(paused, 'tool_start');
    assert.deepEqual(outline(paused).slice(2), [
      ['tool_start', { id: call.id, tool: 'save_note', args: { text: 'buy milk' } }],
      [
        'approval_request',
        { id: call.id, tool: 'save_note', args: { text: 'buy milk' }, reason: 'Save the note "buy milk"?' },
      ],
      ['done', { status: 'interrupted' }],
    ]);

    const approved = await say({ resume: { id: call.id, approved: true }, session_id });
    const run_id = dataOf(approved, 'start').run_id;
    assert.notEqual(run_id, dataOf(paused, 'start').run_id, 'the resume is a run of its own');
    assert.deepEqual(outline(approved), [
      ['start', { session_id, run_id }],
      ['agent_start', { session_id, status: 'started' }],
      ['tool_end', { id: call.id, tool: 'save_note', result: 'Saved note 1: buy milk' }],
      ['message', { content: 'I saved your note: "buy milk".', partial: true }],
      ['suggestions', { items: ['What are my notes?'] }],
      ['done', { status: 'complete' }],
    ]);

    const again = await say({ resume: { id: call.id, approved: true }, session_id });
    assert.deepEqual(
      outline(again).slice(2),
      [
        ['error', { code: 'bad_request', message: AGENT_ERRORS.bad_request.message, retryable: false }],
        ['done', { status: 'error' }],
      ],
      'an answer cannot run the tool twice',
    );

    const listed = await say({ message: 'What are my notes?', session_id });
    assert.equal(dataOf(listed, 'message').content, 'Your notes:\n1. buy milk');
  });

  it('tells the model the user declined, with their note, and saves nothing', async () => {
    const session_id = 'deny-note';
    const call = dataOf(await say({ message: 'Save a note: eggs', session_id }), 'approval_request');
    const denied = await say({ resume: { id: call.id, approved: false, note: 'not now' }, session_id });
    assert.deepEqual(dataOf(denied, 'tool_end'), {
      id: call.id,
      tool: 'save_note',
      error: 'The user declined this call, so it was not run. Their note: "not now"',
    });
    assert.equal(dataOf(denied, 'message').content, 'OK, I didn\'t save the note. You said: "not now".');
    assert.equal(dataOf(denied, 'done').status, 'complete');
    const listed = await say({ message: 'What are my notes?', session_id });
    assert.equal(dataOf(listed, 'message').content, 'You have no notes in this session yet.');
  });

  it("runs a page tool in the page: the pause names the call, the page's result goes back, the answer uses it", async () => {
    const session_id = 'page-tool';
    const paused = await say({ message: 'Make the page green', session_id, tools: [ACCENT] });
    const call = dataOf(paused, 'tool_start');
    assert.deepEqual(outline(paused).slice(2), [
      ['tool_start', { id: call.id, tool: 'set_accent_color', args: { color: 'green' } }],
      ['page_tool_request', { id: call.id, tool: 'set_accent_color', args: { color: 'green' } }],
      ['done', { status: 'interrupted' }],
    ]);
    const answered = await say({
      resume: { id: call.id, result: 'The accent colour is now green.' },
      session_id,
      tools: [ACCENT],
    });
    assert.deepEqual(dataOf(answered, 'tool_end'), {
      id: call.id,
      tool: 'set_accent_color',
      result: 'The accent colour is now green.',
    });
    assert.equal(dataOf(answered, 'message').content, "Done: the page's accent colour is now green.");
    assert.equal(dataOf(answered, 'done').status, 'complete');
  });

  it("reports a page tool that failed or timed out as the call's error, and the model answers from it", async () => {
    const session_id = 'page-tool-timeout';
    const call = dataOf(
      await say({ message: 'change the accent colour to #ff8800', session_id, tools: [ACCENT] }),
      'page_tool_request',
    );
    assert.deepEqual(call.args, { color: '#ff8800' });
    const failed = await say({
      resume: { id: call.id, error: 'The tool did not answer within 10000 ms.' },
      session_id,
      tools: [ACCENT],
    });
    assert.deepEqual(dataOf(failed, 'tool_end'), {
      id: call.id,
      tool: 'set_accent_color',
      error: 'The tool did not answer within 10000 ms.',
    });
    assert.match(dataOf(failed, 'message').content, /couldn't change its accent colour: The tool did not answer/);
  });

  it('refuses a resume that brings other page tools than the pause (the agent fingerprints the list)', async () => {
    const session_id = 'page-tool-other-list';
    const call = dataOf(await say({ message: 'Make the page red', session_id, tools: [ACCENT] }), 'page_tool_request');
    const other = await say({
      resume: { id: call.id, result: 'ok' },
      session_id,
      tools: [{ ...ACCENT, description: 'Other.' }],
    });
    assert.equal(dataOf(other, 'error').code, 'bad_request');
    const same = await say({ resume: { id: call.id, result: 'ok' }, session_id, tools: [ACCENT] });
    assert.equal(dataOf(same, 'done').status, 'complete', 'the pause is still there for the right answer');
  });

  it('declines a waiting call when the user sends a new message instead: its tool_end comes first', async () => {
    const session_id = 'moved-on';
    const call = dataOf(await say({ message: 'Save a note: call mum', session_id }), 'approval_request');
    const next = await say({ message: 'What is 2+2?', session_id });
    assert.deepEqual(outline(next)[2], [
      'tool_end',
      {
        id: call.id,
        tool: 'save_note',
        error: 'Not run: the user moved on to a new message without approving this call.',
      },
    ]);
    assert.match(dataOf(next, 'message').content, /\b4\b/);
    assert.equal(dataOf(next, 'done').status, 'complete');
  });
});
