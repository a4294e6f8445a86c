import type { HistoryTurn, PageTool, ResumeAnswer } from './agent-request.ts';
import type { ChatError } from './chat-errors.ts';

export type { ChatError, PageTool, ResumeAnswer };

/**
 * Wire 2: the events the BFF streams to the browser, as SSE `id: <run>:<seq>`, `event: <name>`,
 * `data: <json>`. docs/protocol.md walks through a run event by event; mapping.ts makes them from
 * Wire 1.
 */
export interface ChatEventData {
  /**
   * First, always: the conversation's id (the one sent, or a new one) and the run's, which resumes
   * it (`GET /v1/chat/runs/{run_id}/events`) or stops it (`POST /v1/chat/runs/{run_id}/cancel`).
   * A receiver takes a `start` without `run_id` (a BFF from before runs were kept): that run is
   * read as it streams, and cannot be resumed or cancelled.
   */
  start: { session_id: string; run_id?: string };
  /** The agent began. `status` is always "started": the seed's documented shape, kept for its clients. */
  agent_start: { session_id: string; status: 'started' };
  token: { delta: string };
  tool_start: { id: string; tool: string; args: Record<string, unknown> };
  tool_end: { id: string; tool: string; result: string } | { id: string; tool: string; error: string };
  /**
   * The run paused before the tool call `id` (its `tool_start` came first): it runs once the user
   * approves it. `reason` asks, in a sentence for people. `done {status: "interrupted"}` follows;
   * the answer is the next request's `resume: {id, approved, note?}`.
   */
  approval_request: { id: string; tool: string; args: Record<string, unknown>; reason: string };
  /**
   * The run paused on a call of one of the request's page tools, which runs in the browser.
   * `done {status: "interrupted"}` follows; the answer is the next request's `resume: {id, result}`
   * (what the tool returned) or `resume: {id, error}` (why it failed).
   */
  page_tool_request: { id: string; tool: string; args: Record<string, unknown> };
  /** Follow-up questions the user might ask next: at most 4 of at most 80 characters, just before `done`. */
  suggestions: { items: string[] };
  /**
   * The text of one model step, whole, after its tokens: it replaces what the tokens built.
   * `partial` is always true (an answer may go on after a tool call): the seed's documented shape.
   */
  message: { content: string; partial: true };
  /** The run failed; `done` follows. `code` is one of chat-errors.ts. */
  error: ChatError;
  /**
   * Last, always, exactly once. `interrupted`: the run paused on an `approval_request` or
   * `page_tool_request`; `cancelled`: stopped by its cancel endpoint, or left unread past the grace period.
   */
  done: { status: 'complete' | 'error' | 'interrupted' | 'cancelled' };
}

export type ChatEventName = keyof ChatEventData;

export type ChatEvent = { [K in ChatEventName]: { event: K; data: ChatEventData[K] } }[ChatEventName];

/**
 * Body of `POST /v1/chat/stream`: a new `message`, or `resume`, the answer to one call a paused
 * run waits on (never both), with the conversation's page tools (the same list every time).
 */
export interface ChatRequest {
  message?: string;
  resume?: ResumeAnswer;
  session_id?: string;
  tools?: PageTool[];
  /**
   * The turns before `message` as the chat shows them, oldest first: at most HISTORY_MAX_MESSAGES,
   * with at most HISTORY_MAX_TOTAL_CHARS characters of `content` in all. The agent uses them only
   * when it has no memory of the conversation (protocol/agent-request.ts). A resume may carry them
   * too; they are not passed on (a paused run lives in the agent's memory).
   */
  history?: HistoryTurn[];
}

/** Body of `POST /v1/chat/feedback`: the user's rating of one answer (the run with this id). */
export interface FeedbackRequest {
  run_id: string;
  rating: 'up' | 'down';
  comment?: string;
}

export const FEEDBACK_COMMENT_MAX_CHARS = 1_000;
/** A run id as a feedback names it: the `run_id` of the rated run's `start`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Answer (202) of `POST /v1/chat/runs/{run_id}/cancel`: `cancelling` — the run ends with `done
 * {status: "cancelled"}` on every stream reading it —, or `finished` when it had already ended.
 */
export interface CancelResponse {
  run_id: string;
  status: 'cancelling' | 'finished';
}

/** Body of every 4xx/5xx answered before a stream opens (`code` and `message` from chat-errors.ts). */
export interface ErrorBody {
  error: { code: string; message: string };
}

type Check = (data: Record<string, unknown>) => boolean;
const has = (data: Record<string, unknown>, name: string, type: string) => typeof data[name] === type;
/** `id` and `tool` strings, and an `args` object: a tool call. */
const call: Check = (d) =>
  has(d, 'id', 'string') && has(d, 'tool', 'string') && has(d, 'args', 'object') && d.args !== null;

/**
 * What a receiver checks of each Wire 2 event before using it: the fields it reads, of their types.
 * Small on purpose: the widget ships it.
 */
const VALID: Record<ChatEventName, Check> = {
  start: (d) => has(d, 'session_id', 'string') && (d.run_id === undefined || has(d, 'run_id', 'string')),
  agent_start: () => true,
  token: (d) => has(d, 'delta', 'string'),
  tool_start: call,
  tool_end: (d) => has(d, 'id', 'string') && (has(d, 'result', 'string') || has(d, 'error', 'string')),
  approval_request: (d) => call(d) && has(d, 'reason', 'string'),
  page_tool_request: call,
  suggestions: (d) => Array.isArray(d.items) && d.items.every((item) => typeof item === 'string'),
  message: (d) => has(d, 'content', 'string'),
  error: (d) => has(d, 'code', 'string') && has(d, 'message', 'string') && has(d, 'retryable', 'boolean'),
  done: (d) =>
    d.status === 'complete' || d.status === 'error' || d.status === 'interrupted' || d.status === 'cancelled',
};

/**
 * One received event, checked: the event, `undefined` for a name Wire 2 does not have (a newer
 * BFF's: skipped), or `null` when it is not what its type says (not JSON, a field missing).
 */
export function readChatEvent(event: string, data: string): ChatEvent | undefined | null {
  if (!Object.hasOwn(VALID, event)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !VALID[event as ChatEventName](parsed as Record<string, unknown>)
  )
    return null;
  return { event, data: parsed } as ChatEvent;
}
