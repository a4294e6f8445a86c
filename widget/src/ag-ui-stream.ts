import type { Message, RunAgentInput } from '@ag-ui/core';
import type { AgentChatForwardedProps } from '../../protocol/ag-ui.ts';
import type { ResumeAnswer } from '../../protocol/chat-events.ts';
import { type ChatTransport, newest, postStream, widgetError } from './chat-stream.ts';
import { randomId } from './ids.ts';
import { type Entry, findCall } from './transcript.ts';

/**
 * AG-UI: the widget as a client of any AG-UI endpoint (`protocol="ag-ui"`) — the BFF's
 * `POST /v1/agui`, or another vendor's agent. Its own small reader, not `@ag-ui/client` (which
 * brings rxjs and zod): the events it draws are mapped to Wire 2's, so the element runs an AG-UI
 * answer exactly as its own; the ones it does not draw (steps, state, snapshots, reasoning, activity,
 * custom and raw events) are passed over. Only AG-UI's types are used (`@ag-ui/core`, types only).
 */

/**
 * The conversation as it shows, as AG-UI messages: text as user and assistant messages, each tool
 * call that has a result as an assistant message with the call followed by its `tool` message (a
 * call without one is left out: many model APIs refuse a call left unanswered). The newest that
 * fit HISTORY_MAX_MESSAGES and HISTORY_MAX_TOTAL_CHARS go; the last, the message being sent, always.
 */
export function agUiMessages(entries: readonly Entry[]): Message[] {
  const all: Message[] = [];
  for (const entry of entries) {
    if (entry.role === 'user') all.push({ id: entry.id, role: 'user', content: entry.text });
    else
      entry.parts.forEach((part, i) => {
        const id = `${entry.id}-${i}`;
        if (part.kind === 'text') all.push({ id, role: 'assistant', content: part.source.text });
        else if (part.status === 'done' || part.status === 'failed') {
          const { error } = part;
          all.push(
            {
              id,
              role: 'assistant',
              toolCalls: [
                { id: part.id, type: 'function', function: { name: part.tool, arguments: JSON.stringify(part.args) } },
              ],
            },
            {
              id: `${id}r`,
              role: 'tool',
              toolCallId: part.id,
              content: part.result ?? error ?? '',
              ...(error !== undefined && { error }),
            },
          );
        }
      });
  }
  return newest(all, (message) => JSON.stringify(message).length, 1);
}

/**
 * The messages of a run that answers a pause: none for an approval (its answer is the input's
 * `resume`); for a page tool, the call (from the paused answer, the last of `entries`) and its
 * outcome as a `tool` message, as AG-UI's frontend tools are answered.
 */
function answerMessages(entries: readonly Entry[], answer: ResumeAnswer): Message[] {
  if ('approved' in answer) return [];
  const call = findCall(entries, answer.id);
  const error = 'error' in answer ? answer.error : undefined;
  return [
    {
      id: randomId(),
      role: 'assistant',
      toolCalls: [
        {
          id: answer.id,
          type: 'function',
          function: { name: call?.tool ?? '', arguments: JSON.stringify(call?.args ?? {}) },
        },
      ],
    },
    {
      id: randomId(),
      role: 'tool',
      toolCallId: answer.id,
      content: 'result' in answer ? answer.result : (error ?? ''),
      ...(error !== undefined && { error }),
    },
  ];
}

/** Where the BFF's runs are, from `…/v1/agui`: `…/v1/chat/runs/{id}/…`. */
export const AG_UI_RUNS = 'chat/runs/';

/** A run id of the BFF's, first in each event's SSE id (`<run id>:<seq>`); another vendor's ids are not read on. */
const BFF_RUN_ID = /^([\w-]{22}):\d+$/;

/** A field an event must have to be drawn: a string, or the event is unreadable. */
function text(value: unknown): string {
  if (typeof value !== 'string') throw widgetError('bad_event');
  return value;
}

/**
 * POSTs a RunAgentInput — the thread is the conversation's id, the run a fresh one, the messages the
 * conversation as it shows — and delivers the events as Wire 2's, in order, as they arrive: text as
 * `token`s (a blank line between two messages), a tool call as `tool_start` once its arguments are
 * complete and `tool_end` with its result, RUN_ERROR as `error`, and the last event as `done`.
 * The BFF keeps the run through a dropped connection when asked (`forwardedProps.agentChat`) and
 * names it in each event's SSE id: then a dropped stream is read on, as on Wire 2.
 */
export const streamAgUi: ChatTransport = (request) => {
  const { sessionId, onEvent, resume } = request;
  const input: RunAgentInput = {
    threadId: sessionId,
    runId: randomId(),
    state: {},
    messages: resume ? answerMessages(request.history, resume) : agUiMessages(request.history),
    tools: request.tools ?? [],
    context: [],
    forwardedProps: { agentChat: { resumable: true } } satisfies AgentChatForwardedProps,
    // An approval's answer (AG-UI 1.0's resume; our agent's interrupt ids are the calls').
    ...(resume &&
      'approved' in resume && {
        resume: [
          { interruptId: resume.id, status: 'resolved', payload: { approved: resume.approved, note: resume.note } },
        ],
      }),
  };
  /** Tool calls by id: name, arguments as they stream, and whether their card is out. */
  const calls = new Map<string, { tool: string; args: string; shown?: boolean; parsed?: Record<string, unknown> }>();
  /** The text message tokens last came from (undefined after a tool call). */
  let textId: unknown;
  const show = (id: string) => {
    const call = calls.get(id);
    if (!call || call.shown) return;
    call.shown = true;
    let args = {};
    try {
      // An object, whatever the arguments parse as.
      args = Object(JSON.parse(call.args || '{}'));
    } catch {}
    call.parsed = args;
    textId = undefined;
    onEvent({ event: 'tool_start', data: { id, tool: call.tool, args } });
  };
  return postStream(request, input, AG_UI_RUNS, (_event, data, sseId) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(data);
    } catch {
      throw widgetError('bad_event');
    }
    switch (e?.type) {
      case 'RUN_STARTED':
        request.run.id = BFF_RUN_ID.exec(sseId)?.[1] ?? '';
        onEvent({ event: 'start', data: { session_id: sessionId, run_id: request.run.id } });
        // A page tool's outcome is the client's own: no TOOL_CALL_RESULT repeats it, its card ends here.
        if (resume && !('approved' in resume)) {
          const tool = findCall(request.history, resume.id)?.tool ?? '';
          onEvent({ event: 'tool_end', data: { tool, ...resume } });
        }
        break;
      case 'TEXT_MESSAGE_CONTENT':
      case 'TEXT_MESSAGE_CHUNK':
        if (e.delta) {
          const delta = text(e.delta);
          if (textId !== undefined && textId !== e.messageId) onEvent({ event: 'token', data: { delta: '\n\n' } });
          textId = e.messageId;
          onEvent({ event: 'token', data: { delta } });
        }
        break;
      case 'TOOL_CALL_START': {
        const id = text(e.toolCallId);
        if (!calls.has(id)) calls.set(id, { tool: text(e.toolCallName), args: '' });
        break;
      }
      case 'TOOL_CALL_ARGS': {
        const call = calls.get(text(e.toolCallId));
        if (call && e.delta) call.args += text(e.delta);
        break;
      }
      case 'TOOL_CALL_END':
        show(text(e.toolCallId));
        break;
      case 'TOOL_CALL_RESULT': {
        const id = text(e.toolCallId);
        show(id);
        const tool = calls.get(id)?.tool ?? '';
        // Our agent says a tool failed in `metadata.error` (protocol/ag-ui.ts, ToolResultMetadata).
        const error = (e.metadata as { error?: unknown } | undefined)?.error;
        const { content } = e;
        const result = Array.isArray(content)
          ? content.map((part) => part?.text ?? '').join('')
          : String(content ?? '');
        onEvent({ event: 'tool_end', data: typeof error === 'string' ? { id, tool, error } : { id, tool, result } });
        break;
      }
      case 'RUN_ERROR':
        onEvent({
          event: 'error',
          data: {
            code: String(e.code ?? 'run_error'),
            message: String(e.message ?? ''),
            // The BFF says whether to try again (protocol/ag-ui.ts, RunErrorMetadata).
            retryable: (e.metadata as { retryable?: unknown } | undefined)?.retryable === true,
          },
        });
        onEvent({ event: 'done', data: { status: 'error' } });
        return true;
      case 'CUSTOM':
        // Our agent's follow-up suggestions (protocol/ag-ui.ts, SUGGESTIONS_EVENT).
        if (e.name === 'suggestions') {
          const { items } = (e.value ?? {}) as { items?: unknown };
          if (Array.isArray(items))
            onEvent({ event: 'suggestions', data: { items: items.filter((i) => typeof i === 'string') } });
        }
        break;
      case 'RUN_FINISHED': {
        for (const id of calls.keys()) show(id);
        // A pause: approvals (an interrupt outcome) or page tools (calls left pending), as Wire 2's requests.
        const outcome = (e.outcome ?? {}) as {
          type?: unknown;
          interrupts?: Array<{
            id: string;
            toolCallId?: string;
            message?: string;
            metadata?: { tool?: string; args?: Record<string, unknown> };
          }>;
          pendingToolCallIds?: string[];
        };
        const waits = [...(outcome.interrupts ?? []), ...(outcome.pendingToolCallIds ?? [])];
        for (const wait of waits) {
          const pending = typeof wait === 'string';
          const id = pending ? wait : (wait.toolCallId ?? wait.id);
          const call = calls.get(id);
          const named = { id: String(id), tool: call?.tool ?? '', args: call?.parsed ?? {} };
          if (pending) onEvent({ event: 'page_tool_request', data: named });
          else
            onEvent({
              event: 'approval_request',
              data: {
                ...named,
                tool: String(wait.metadata?.tool ?? named.tool),
                args: Object(wait.metadata?.args ?? named.args),
                reason: String(wait.message ?? ''),
              },
            });
        }
        const status = outcome.type === 'cancelled' ? 'cancelled' : waits.length ? 'interrupted' : 'complete';
        onEvent({ event: 'done', data: { status } });
        return true;
      }
    }
    return false;
  });
};
