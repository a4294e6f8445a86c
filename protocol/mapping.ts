import { AGENT_ERRORS, isAgentErrorCode } from './agent-errors.ts';
import { type AgentEvent, SUGGESTION_MAX_CHARS, SUGGESTIONS_MAX_ITEMS } from './agent-events.ts';
import type { ChatError } from './chat-errors.ts';
import type { ChatEvent } from './chat-events.ts';

/**
 * The browser's error for an agent's AGENT_ERROR (or AG-UI RUN_ERROR): an allowlist, not a filter.
 * A code of the catalogue (agent-errors.ts) comes with that code's fixed sentence, which is what our
 * agent says; any other code is `agent_error`. Whatever else the agent wrote — it is a separate
 * deployment, maybe not ours — stays out of the browser.
 */
export function agentError(code: string): ChatError {
  const known = isAgentErrorCode(code) ? code : 'agent_error';
  const { message, retryable } = AGENT_ERRORS[known];
  return { code: known, message, retryable };
}

/**
 * The Wire 2 event for one Wire 1 event; `undefined` for events the browser does not see. The
 * runtime session id in AGENT_START is the BFF's secret derivation: the browser gets its own id.
 */
export function toChatEvent(e: AgentEvent, sessionId: string): ChatEvent | undefined {
  switch (e.event) {
    case 'AGENT_START':
      return { event: 'agent_start', data: { session_id: sessionId, status: 'started' } };
    case 'LLM_TOKEN':
      return { event: 'token', data: { delta: e.data.delta } };
    case 'TOOL_CALL':
      return { event: 'tool_start', data: { id: e.data.id, tool: e.data.tool, args: e.data.args } };
    case 'TOOL_RESULT': {
      const { id, tool } = e.data;
      return 'error' in e.data
        ? { event: 'tool_end', data: { id, tool, error: e.data.error } }
        : { event: 'tool_end', data: { id, tool, result: e.data.result } };
    }
    case 'LLM_RESPONSE':
      return { event: 'message', data: { content: e.data.content, partial: true } };
    case 'AGENT_ERROR':
      return { event: 'error', data: agentError(e.data.code) };
    case 'AGENT_INTERRUPT': {
      const { id, tool, args, kind } = e.data;
      if (kind === 'approval') return { event: 'approval_request', data: { id, tool, args, reason: e.data.reason } };
      // A kind this BFF does not know (a newer agent's) has nothing the browser could answer.
      return kind === 'page_tool' ? { event: 'page_tool_request', data: { id, tool, args } } : undefined;
    }
    case 'SUGGESTIONS': {
      // The agent's bounds, held here too: the browser draws each item as a button.
      const items = e.data.items.slice(0, SUGGESTIONS_MAX_ITEMS).map((item) => item.slice(0, SUGGESTION_MAX_CHARS));
      return { event: 'suggestions', data: { items } };
    }
    case 'AGENT_END':
      return undefined;
  }
}

/**
 * One run's Wire 2 stream, made from its Wire 1 events as they come: `start`, each event mapped,
 * then exactly one `done` — `error` when an `error` went before it, `interrupted` when the run
 * paused (an AGENT_INTERRUPT), `cancelled` when it was stopped, else `complete`. After `done`
 * (`ended`), nothing more is mapped.
 */
export class ChatRun {
  readonly sessionId: string;
  readonly runId: string;
  private failed = false;
  private paused = false;
  private over = false;

  constructor(sessionId: string, runId: string) {
    this.sessionId = sessionId;
    this.runId = runId;
  }

  get ended(): boolean {
    return this.over;
  }

  start(): ChatEvent[] {
    return [{ event: 'start', data: { session_id: this.sessionId, run_id: this.runId } }];
  }

  /** The Wire 2 events for a batch of Wire 1 events (those one upstream chunk completed). */
  map(batch: readonly AgentEvent[]): ChatEvent[] {
    const out: ChatEvent[] = [];
    for (const e of batch) {
      if (this.over) break;
      if (e.event === 'AGENT_END') {
        this.over = true;
        out.push({ event: 'done', data: { status: this.failed ? 'error' : this.paused ? 'interrupted' : 'complete' } });
        break;
      }
      if (e.event === 'AGENT_INTERRUPT') this.paused = true;
      const chatEvent = toChatEvent(e, this.sessionId);
      if (chatEvent?.event === 'error') this.failed = true;
      if (chatEvent) out.push(chatEvent);
    }
    return out;
  }

  /** The run failed outside the agent's own events (the BFF, the network, AgentCore): `error`, then `done`. */
  fail(error: ChatError): ChatEvent[] {
    this.over = true;
    return [
      { event: 'error', data: error },
      { event: 'done', data: { status: 'error' } },
    ];
  }

  /** The run was stopped on purpose (its cancel endpoint, or nobody reading it): `done` alone. */
  cancel(): ChatEvent[] {
    this.over = true;
    return [{ event: 'done', data: { status: 'cancelled' } }];
  }
}
