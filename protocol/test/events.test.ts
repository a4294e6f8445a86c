import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentRuntimeError, MalformedUpstreamError, readAgentEvent, readAgentEvents } from '../agent-events.ts';
import { readChatEvent } from '../chat-events.ts';

const t = '2026-01-01T00:00:00.000Z';
const message = (event: string, data: unknown) => ({
  event,
  data: typeof data === 'string' ? data : JSON.stringify(data),
});

describe('Wire 1, as a receiver reads it', () => {
  it('takes each event with the fields its type requires, and skips names it does not know', () => {
    const good: Array<[string, unknown]> = [
      ['AGENT_START', { timestamp: t, session_id: 's' }],
      ['LLM_TOKEN', { timestamp: t, delta: 'Hi' }],
      ['TOOL_CALL', { timestamp: t, id: 'c', tool: 'calculator', args: {} }],
      ['TOOL_RESULT', { timestamp: t, id: 'c', tool: 'calculator', error: 'no' }],
      ['LLM_RESPONSE', { timestamp: t, content: 'Hi' }],
      [
        'AGENT_INTERRUPT',
        { timestamp: t, id: 'c', kind: 'approval', tool: 'save_note', args: { text: 'x' }, reason: 'Save?' },
      ],
      ['SUGGESTIONS', { timestamp: t, items: ['More?'] }],
      ['AGENT_ERROR', { timestamp: t, code: 'agent_error', message: 'The agent failed while answering.' }],
      ['AGENT_END', { timestamp: t, output: '' }],
    ];
    for (const [event, data] of good) assert.deepEqual(readAgentEvent(message(event, data)), { event, data }, event);
    assert.equal(readAgentEvent(message('AGENT_THINKING', {})), undefined);
  });

  it("refuses a known event that is not what its type says, and reports the runtime's own error event", () => {
    const bad: Array<[string, unknown]> = [
      ['LLM_TOKEN', '{"delta":'],
      ['LLM_TOKEN', '"just a string"'],
      ['LLM_TOKEN', { timestamp: t }],
      ['TOOL_CALL', { id: 'c', tool: 'x', args: 'not an object' }],
      ['TOOL_CALL', { id: 'c', tool: 'x', args: [1] }],
      ['TOOL_RESULT', { id: 'c', tool: 'x' }],
      ['AGENT_INTERRUPT', { id: 'c', kind: 'approval', tool: 'x', reason: 'r' }],
      ['SUGGESTIONS', { items: ['a', 2] }],
      ['AGENT_ERROR', { code: 'x' }],
    ];
    for (const [event, data] of bad)
      assert.throws(
        () => readAgentEvent(message(event, data)),
        MalformedUpstreamError,
        `${event} ${JSON.stringify(data)}`,
      );
    assert.throws(() => readAgentEvent(message('error', 'boom')), AgentRuntimeError);
  });

  it('keeps the events of a batch before a malformed one, with its error', () => {
    const { events, error } = readAgentEvents([
      message('LLM_TOKEN', { delta: 'a' }),
      message('LLM_TOKEN', {}),
      message('LLM_TOKEN', { delta: 'b' }),
    ]);
    assert.deepEqual(events, [{ event: 'LLM_TOKEN', data: { delta: 'a' } }]);
    assert.ok(error instanceof MalformedUpstreamError);
  });
});

describe('Wire 2, as the widget reads it', () => {
  it('takes each event with the fields it reads', () => {
    for (const [event, data] of [
      ['start', { session_id: 's', run_id: 'r' }],
      ['agent_start', { session_id: 's', status: 'started' }],
      ['token', { delta: 'x' }],
      ['tool_start', { id: 'c', tool: 't', args: {} }],
      ['tool_end', { id: 'c', tool: 't', result: '1' }],
      ['approval_request', { id: 'c', tool: 'save_note', args: { text: 'x' }, reason: 'Save?' }],
      ['page_tool_request', { id: 'c', tool: 'set_accent_color', args: { color: 'red' } }],
      ['suggestions', { items: ['More?'] }],
      ['message', { content: 'x', partial: true }],
      ['error', { code: 'throttled', message: 'Busy.', retryable: true }],
      ['done', { status: 'complete' }],
      ['done', { status: 'interrupted' }],
      ['done', { status: 'cancelled' }],
    ] as const) {
      assert.deepEqual(readChatEvent(event, JSON.stringify(data)), { event, data }, event);
    }
  });

  it('skips a name it does not know (undefined) and marks a known event it cannot use (null)', () => {
    assert.equal(readChatEvent('agent_thought', '{"id":"x"}'), undefined);
    assert.equal(readChatEvent('__proto__', '{}'), undefined);
    for (const [event, data] of [
      ['token', '{"delta": 1}'],
      ['token', 'not json'],
      ['token', 'null'],
      ['tool_start', '{"id":"c","tool":"t","args":null}'],
      ['tool_end', '{"id":"c","tool":"t"}'],
      ['error', '{"code":"x","message":"y"}'],
      ['approval_request', '{"id":"c","tool":"t","args":{}}'],
      ['page_tool_request', '{"id":"c","tool":"t","args":null}'],
      ['suggestions', '{"items":["a",1]}'],
      ['suggestions', '{"items":"a"}'],
      ['start', '{"session_id":"s","run_id":7}'],
      ['done', '{"status":"stopped"}'],
    ]) {
      assert.equal(readChatEvent(event!, data!), null, `${event} ${data}`);
    }
  });

  it('takes a start without run_id (a BFF from before runs were kept): read as it streams, not resumable', () => {
    assert.deepEqual(readChatEvent('start', '{"session_id":"s"}'), { event: 'start', data: { session_id: 's' } });
  });
});
