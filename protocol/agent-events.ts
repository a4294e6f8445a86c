import type { AgentErrorCode } from './agent-errors.ts';

export type { AgentErrorCode };

/**
 * Wire 1: the events the agent runtime streams to the BFF (AgentCore response stream), as SSE
 * `event: <name>` + `data: <json>`. See DESIGN.md, "Wire 1".
 */
export interface AgentEventData {
  AGENT_START: { timestamp: string; session_id: string };
  LLM_TOKEN: { timestamp: string; delta: string };
  TOOL_CALL: { timestamp: string; id: string; tool: string; args: Record<string, unknown> };
  TOOL_RESULT:
    | { timestamp: string; id: string; tool: string; result: string }
    | { timestamp: string; id: string; tool: string; error: string };
  LLM_RESPONSE: { timestamp: string; content: string };
  AGENT_ERROR: { timestamp: string; code: AgentErrorCode; message: string };
  AGENT_END: { timestamp: string; output: string };
}

export type AgentEventName = keyof AgentEventData;

export type AgentEvent = { [K in AgentEventName]: { event: K; data: AgentEventData[K] } }[AgentEventName];

/**
 * What a paused run is waiting for (`AGENT_INTERRUPT.kind`):
 *
 * - `approval`: a tool marked `needsApproval` wants to run. Answer `{id, approved, note?}`.
 * - `page_tool`: the model called one of the request's page tools, which runs in the browser.
 *   Answer `{id, result}` with what the tool returned, or `{id, error}` when it failed or timed out.
 *
 * The answer goes in the next invocation's `resume` (see `ResumeAnswer` in `agent-request.ts`).
 */
export type InterruptKind = 'approval' | 'page_tool';

/** One tool call a paused run is waiting on. */
export interface AgentInterrupt {
  /** The tool call's id (the `id` of its TOOL_CALL): the resume names it. */
  id: string;
  kind: InterruptKind;
  tool: string;
  args: Record<string, unknown>;
  /** Why the run waits, in a sentence for people (an approval card shows it). */
  reason: string;
}

/**
 * Wire 1 events added for approvals, page tools and suggestions. They are kept apart from
 * `AgentEventData` so a BFF that predates them keeps type-checking: it skips Wire 1 events it does
 * not know. A BFF that relays them adds them to its own table.
 */
export interface AgentInteractionEventData {
  /**
   * The run paused before a tool call: the graph's state is kept, and the run ends (AGENT_END
   * follows, after one AGENT_INTERRUPT per call it waits on). Another invocation on the same
   * session with `resume` answers it; a new `prompt` instead declines every call still waiting.
   *
   * `{"timestamp": "…", "id": "tooluse_1", "kind": "approval", "tool": "save_note",
   *   "args": {"text": "buy milk"}, "reason": "Save the note \"buy milk\"?"}`
   */
  AGENT_INTERRUPT: { timestamp: string } & AgentInterrupt;
  /**
   * Follow-up questions the user might ask next, sent just before AGENT_END of a run that
   * answered (never with an error or an interrupt). At most `SUGGESTIONS_MAX_ITEMS` items of at
   * most `SUGGESTION_MAX_CHARS` characters each.
   *
   * `{"timestamp": "…", "items": ["What is that times 3?"]}`
   */
  SUGGESTIONS: { timestamp: string; items: string[] };
}

export const SUGGESTIONS_MAX_ITEMS = 4;
export const SUGGESTION_MAX_CHARS = 80;

export type AgentInteractionEvent = {
  [K in keyof AgentInteractionEventData]: { event: K; data: AgentInteractionEventData[K] };
}[keyof AgentInteractionEventData];

/** Everything the agent streams on Wire 1. */
export type AgentStreamEvent = AgentEvent | AgentInteractionEvent;
