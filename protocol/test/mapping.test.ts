import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// The BFF reads codes off the wire, so it must cope with any string, not just the agent's own.
import { AGENT_ERRORS, type AgentErrorCode } from '../agent-errors.ts';
import type { AgentEvent } from '../agent-events.ts';
import { ChatRun, toChatEvent } from '../mapping.ts';

const t = '2026-01-01T00:00:00.000Z';
const expected = (code: AgentErrorCode) => ({
  code,
  message: AGENT_ERRORS[code].message,
  retryable: AGENT_ERRORS[code].retryable,
});

describe('Wire 1 → Wire 2', () => {
  it('maps each agent event to its browser event', () => {
    const s = 'browser-session';
    assert.deepEqual(toChatEvent({ event: 'AGENT_START', data: { timestamp: t, session_id: 'runtime-id' } }, s), {
      event: 'agent_start',
      data: { session_id: s, status: 'started' },
    });
    assert.deepEqual(toChatEvent({ event: 'LLM_TOKEN', data: { timestamp: t, delta: 'Hi' } }, s), {
      event: 'token',
      data: { delta: 'Hi' },
    });
    assert.deepEqual(
      toChatEvent(
        { event: 'TOOL_CALL', data: { timestamp: t, id: 'c1', tool: 'calculator', args: { expression: '5+5' } } },
        s,
      ),
      {
        event: 'tool_start',
        data: { id: 'c1', tool: 'calculator', args: { expression: '5+5' } },
      },
    );
    assert.deepEqual(
      toChatEvent({ event: 'TOOL_RESULT', data: { timestamp: t, id: 'c1', tool: 'calculator', result: '10' } }, s),
      {
        event: 'tool_end',
        data: { id: 'c1', tool: 'calculator', result: '10' },
      },
    );
    assert.deepEqual(
      toChatEvent(
        { event: 'TOOL_RESULT', data: { timestamp: t, id: 'c1', tool: 'calculator', error: 'Division by zero' } },
        s,
      ),
      {
        event: 'tool_end',
        data: { id: 'c1', tool: 'calculator', error: 'Division by zero' },
      },
    );
    assert.deepEqual(toChatEvent({ event: 'LLM_RESPONSE', data: { timestamp: t, content: 'It is 10.' } }, s), {
      event: 'message',
      data: { content: 'It is 10.', partial: true },
    });
    assert.deepEqual(
      toChatEvent(
        {
          event: 'AGENT_ERROR',
          data: { timestamp: t, code: 'model_throttled', message: AGENT_ERRORS.model_throttled.message },
        },
        s,
      ),
      {
        event: 'error',
        data: { code: 'model_throttled', message: 'The model is busy right now. Try again shortly.', retryable: true },
      },
    );
  });

  it("shows an agent's error only as a known code with its fixed sentence: an allowlist, so nothing else the agent wrote gets through", () => {
    const error = (code: string, message: string) =>
      toChatEvent({ event: 'AGENT_ERROR', data: { timestamp: t, code: code as AgentErrorCode, message } }, 's')!.data;
    for (const [code, { message, retryable }] of Object.entries(AGENT_ERRORS)) {
      assert.deepEqual(error(code, message), { code, message, retryable }, code);
    }
    // What got through the denylist this replaces, each under a known code and an unknown one.
    const leaks = [
      'TypeError: boom at run (/app/x.js:1:1)',
      'ECONNREFUSED 10.0.3.17:443 for https://internal-api.corp.example/v1',
      'Key sk-live-4eC39HqLyjWDarjtT1zdp7dc was rejected',
      'Denied for arn:aws:iam::123456789012:role/agent',
      'y'.repeat(10_000),
    ];
    for (const leak of leaks) {
      assert.deepEqual(error('model_unavailable', leak), expected('model_unavailable'));
      assert.deepEqual(error('upstream_exploded', leak), expected('agent_error'));
    }
    assert.deepEqual(error('Not A Code!', 'Oops.'), expected('agent_error'));
    assert.deepEqual(error('__proto__', 'Oops.'), expected('agent_error'));
  });

  it('relays a pause as approval_request or page_tool_request then done "interrupted", and suggestions before done', () => {
    const run = (events: AgentEvent[]) => {
      const mapping = new ChatRun('s', 'r');
      return [...mapping.start(), ...mapping.map(events)].map(({ event, data }) => [event, data]);
    };
    const call = { id: 'tooluse_1', tool: 'save_note', args: { text: 'buy milk' } };
    const page = { id: 'tooluse_2', tool: 'set_accent_color', args: { color: 'green' } };
    const start = { event: 'AGENT_START', data: { timestamp: t, session_id: 'x' } } as const;
    const end = { event: 'AGENT_END', data: { timestamp: t, output: '' } } as const;
    assert.deepEqual(
      run([
        start,
        { event: 'TOOL_CALL', data: { timestamp: t, ...call } },
        { event: 'TOOL_CALL', data: { timestamp: t, ...page } },
        { event: 'AGENT_INTERRUPT', data: { timestamp: t, ...call, kind: 'approval', reason: 'Save the note?' } },
        { event: 'AGENT_INTERRUPT', data: { timestamp: t, ...page, kind: 'page_tool', reason: 'Runs in the page.' } },
        end,
      ]).slice(2),
      [
        ['tool_start', call],
        ['tool_start', page],
        ['approval_request', { ...call, reason: 'Save the note?' }],
        ['page_tool_request', page],
        ['done', { status: 'interrupted' }],
      ],
    );
    // A kind this BFF does not know: nothing the browser could answer, but the run did pause.
    const unknown = { timestamp: t, ...call, kind: 'telepathy', reason: '?' } as unknown as AgentEvent['data'];
    assert.deepEqual(run([start, { event: 'AGENT_INTERRUPT', data: unknown } as AgentEvent, end]).slice(2), [
      ['done', { status: 'interrupted' }],
    ]);
    const items = ['What is that times 3?', 'x'.repeat(81), 'c', 'd', 'e'];
    assert.deepEqual(run([start, { event: 'SUGGESTIONS', data: { timestamp: t, items } }, end]).slice(2), [
      ['suggestions', { items: ['What is that times 3?', 'x'.repeat(80), 'c', 'd'] }],
      ['done', { status: 'complete' }],
    ]);
    assert.deepEqual(run([start, end]).at(-1), ['done', { status: 'complete' }]);
  });

  it('maps nothing after AGENT_END, and fails a run with error then done', () => {
    const mapping = new ChatRun('s', 'r');
    assert.deepEqual(
      mapping.map([
        { event: 'AGENT_END', data: { timestamp: t, output: '' } },
        { event: 'LLM_TOKEN', data: { timestamp: t, delta: 'late' } },
      ]),
      [{ event: 'done', data: { status: 'complete' } }],
    );
    assert.ok(mapping.ended);
    assert.deepEqual(mapping.map([{ event: 'LLM_TOKEN', data: { timestamp: t, delta: 'later' } }]), []);
    const failed = new ChatRun('s', 'r');
    const error = {
      code: 'upstream_timeout',
      message: 'The assistant stopped responding. Try again.',
      retryable: true,
    };
    assert.deepEqual(failed.fail(error), [
      { event: 'error', data: error },
      { event: 'done', data: { status: 'error' } },
    ]);
  });

  it('starts with the session and run ids, and ends a stopped run with done cancelled alone', () => {
    const mapping = new ChatRun('s', 'r');
    assert.deepEqual(mapping.start(), [{ event: 'start', data: { session_id: 's', run_id: 'r' } }]);
    assert.deepEqual(mapping.cancel(), [{ event: 'done', data: { status: 'cancelled' } }]);
    assert.ok(mapping.ended);
  });
});
