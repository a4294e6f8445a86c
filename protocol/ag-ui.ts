import { RESUME_NOTE_MAX_CHARS } from './agent-request.ts';

/**
 * What the agent adds to AG-UI 1.0 (`@ag-ui/core`, whose types are the protocol itself), for the
 * clients that read its events. See docs/protocol.md, "AG-UI".
 *
 * - `RUN_ERROR.code` is an `AgentErrorCode` (`agent-events.ts`), with the same fixed messages as
 *   Wire 1's AGENT_ERROR. AgentCore's own errors in the same stream have upper-case codes.
 * - A run whose caller hung up ends with `RUN_FINISHED` and `outcome: {type: "cancelled"}`.
 * - A tool that needs approval pauses the run: `RUN_FINISHED` with `outcome: {type: "interrupt",
 *   interrupts: [ApprovalInterrupt…]}`; the next RunAgentInput answers each with a `resume` entry
 *   (`status: "resolved"` and an `ApprovalPayload`, or `status: "cancelled"`).
 * - A call to one of the input's `tools` (a page tool) ends the run with `RUN_FINISHED` and
 *   `outcome: {type: "success", pendingToolCallIds: […]}`; the next RunAgentInput's `messages`
 *   carry a `tool` message per call (`error` set when the tool failed).
 * - Follow-up suggestions come as `CUSTOM {name: "suggestions", value: SuggestionsValue}` just
 *   before `RUN_FINISHED`.
 */

/**
 * The largest RunAgentInput the BFF's `POST /v1/agui` takes, in bytes (larger: 413): the agent
 * runtime's own limit on a body (Fastify's default, which `bedrock-agentcore` keeps). Within it, a
 * client may send a conversation of any length; the agent reads its newest HISTORY_MAX_MESSAGES.
 */
export const AGUI_MAX_BODY_BYTES = 1024 * 1024;

/**
 * `TOOL_CALL_RESULT` has no field for a failure (AG-UI's `ToolMessage` has `error`), so the agent
 * reports a tool that failed with the reason as `content` and as this event `metadata`.
 */
export interface ToolResultMetadata {
  /** Why the tool failed, fit for people (the same text as `content`). Absent when it succeeded. */
  error?: string;
}

/**
 * The `metadata` of a RUN_ERROR the BFF sends (`POST /v1/agui`): its `code` is a Wire 2 code
 * (chat-errors.ts, the agent's included) and its `message` that code's sentence, never an
 * upstream's words; this says whether sending the same input again may work.
 */
export interface RunErrorMetadata {
  retryable: boolean;
}

/**
 * What a client puts in a RunAgentInput's `forwardedProps` for the BFF (`POST /v1/agui`), under
 * `agentChat`: `resumable: true` keeps the run going for RESUME_GRACE_MS when the connection drops,
 * for the client to read on (`GET /v1/chat/runs/{id}/events`) or stop it (`…/cancel`). Without it,
 * hanging up stops the run, as AG-UI clients expect of aborting one. The agent ignores it.
 */
export interface AgentChatForwardedProps {
  agentChat?: { resumable?: boolean };
}

/** Whether a RunAgentInput's `forwardedProps` ask the BFF to keep the run through a dropped connection. */
export const isResumable = (forwardedProps: unknown): boolean =>
  (forwardedProps as AgentChatForwardedProps | null | undefined)?.agentChat?.resumable === true;

/** `CUSTOM.name` of the follow-up suggestions event; its `value` is a `SuggestionsValue`. */
export const SUGGESTIONS_EVENT = 'suggestions';

export interface SuggestionsValue {
  /** At most SUGGESTIONS_MAX_ITEMS questions of at most SUGGESTION_MAX_CHARS characters (`agent-events.ts`). */
  items: string[];
}

/**
 * An approval, as an AG-UI `Interrupt` on `RUN_FINISHED.outcome.interrupts`:
 *
 * `{"id": "tooluse_1", "reason": "tool_call", "toolCallId": "tooluse_1",
 *   "message": "Save the note \"buy milk\"?", "responseSchema": APPROVAL_RESPONSE_SCHEMA,
 *   "metadata": {"tool": "save_note", "args": {"text": "buy milk"}}}`
 *
 * `id` is the tool call's id, like Wire 1's `AGENT_INTERRUPT.id`.
 */
export interface ApprovalInterruptMetadata {
  tool: string;
  args: Record<string, unknown>;
}

/** `payload` of a `resolved` resume entry that answers an approval. */
export interface ApprovalPayload {
  approved: boolean;
  note?: string;
}

/** `responseSchema` of every approval interrupt: the JSON Schema of `ApprovalPayload`. */
export const APPROVAL_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    approved: { type: 'boolean' },
    note: { type: 'string', maxLength: RESUME_NOTE_MAX_CHARS },
  },
  required: ['approved'],
} as const;
