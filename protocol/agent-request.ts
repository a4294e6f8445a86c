import type { Checked } from './page-tools.ts';
import { isPlainObject } from './json.ts';

/**
 * What callers send the agent runtime's `POST /invocations`. Two bodies are accepted:
 *
 * - Wire 1's own, `AgentRequest` below (the seed's `{"prompt"}`, or `{"message"}`), answered with the
 *   Wire 1 events of `agent-events.ts`;
 * - an AG-UI `RunAgentInput` (`@ag-ui/core`), answered with AG-UI events.
 *
 * Both may carry the conversation as the client shows it. The agent uses it only when it has no
 * memory of the session (a new microVM after AgentCore's idle timeout, a redeploy), and only as the
 * user's own words: see docs/protocol.md, "AG-UI".
 */

/** The header that names the AgentCore runtime session (AgentCore sets it); the conversation is kept under it. */
export const RUNTIME_SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

/** One earlier message of the conversation, as the chat shows it. */
export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * Body of a Wire 1 invocation: a new message (`prompt`), or the answer to a paused run (`resume`),
 * never both.
 *
 * `{"prompt": "Save a note: buy milk", "tools": [{"name": "set_accent_color", …}]}`
 * `{"resume": {"id": "tooluse_1", "approved": false, "note": "not now"}, "tools": […]}`
 */
export interface AgentRequest {
  /** The user's new message. `message` is accepted in its place. */
  prompt?: string;
  /** The turns before `prompt`, oldest first, within the limits below. */
  history?: HistoryTurn[];
  /** Answers one call the session's paused run waits on (an `AGENT_INTERRUPT`). */
  resume?: ResumeAnswer;
  /**
   * Tools that run in the browser, offered to the model beside the agent's own for this request
   * only. A resume must send the same list as the request that paused.
   */
  tools?: PageTool[];
}

/** A tool that runs in the page, described for the model (AG-UI's `Tool`, same shape). */
export interface PageTool {
  /** 1–64 of `A-Z a-z 0-9 _ -`, unique, and not the name of one of the agent's own tools. */
  name: string;
  description: string;
  /** JSON Schema of the arguments: an object schema (`{"type": "object", …}`); absent means none. */
  parameters?: Record<string, unknown>;
}

/** The answer to an `approval` interrupt. A denial reaches the model as the tool's result, with the note. */
export interface ApprovalAnswer {
  id: string;
  approved: boolean;
  /** Why, in the user's words (at most `RESUME_NOTE_MAX_CHARS`). */
  note?: string;
}

/**
 * The outcome of a `page_tool` interrupt: what the page's handler returned, or why it failed
 * (`{"id": …, "error": "timed out"}`). Either is cut at `PAGE_TOOL_RESULT_MAX_CHARS` and reaches the
 * model labelled as data from the page, never as instructions.
 */
export type PageToolOutcome = { id: string; result: string } | { id: string; error: string };

export type ResumeAnswer = ApprovalAnswer | PageToolOutcome;

/** Tool names as model providers accept them (Bedrock: 1–64 of these characters). */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Bounds on a request's page tools (the agent answers `bad_request` beyond them; the BFF checks them first). */
export const PAGE_TOOLS_MAX = 16;
export const PAGE_TOOL_DESCRIPTION_MAX_CHARS = 1_000;
/** One tool's `parameters`, as JSON characters, and its nesting depth. */
export const PAGE_TOOL_PARAMETERS_MAX_CHARS = 8_000;
export const PAGE_TOOL_PARAMETERS_MAX_DEPTH = 16;
/** A page tool's result or error is cut here before the model sees it. */
export const PAGE_TOOL_RESULT_MAX_CHARS = 8_000;
export const RESUME_NOTE_MAX_CHARS = 1_000;

const BAD_RESUME =
  '"resume" must be {id, approved: boolean, note?: string} for an approval, or {id, result: string} or {id, error: string} for a page tool.';
const refused = (message: string): Checked<never> => ({ ok: false, message });

/**
 * A Wire 1 `resume`, checked (by the BFF and the agent alike): exactly one of `approved` (with an
 * optional `note`), `result` or `error`, for one non-empty call id. (The agent cuts a result at
 * PAGE_TOOL_RESULT_MAX_CHARS.) A request's page tools are checked by protocol/page-tools.ts.
 */
export function checkResume(raw: unknown): Checked<ResumeAnswer> {
  if (!isPlainObject(raw)) return refused(BAD_RESUME);
  const { id, approved, note, result, error } = raw;
  if (typeof id !== 'string' || !id) return refused(BAD_RESUME);
  if ([approved, result, error].filter((field) => field !== undefined).length !== 1) return refused(BAD_RESUME);
  if (approved !== undefined) {
    if (typeof approved !== 'boolean' || (note !== undefined && typeof note !== 'string')) return refused(BAD_RESUME);
    if (typeof note === 'string' && note.length > RESUME_NOTE_MAX_CHARS)
      return refused(`The note is longer than ${RESUME_NOTE_MAX_CHARS} characters.`);
    return { ok: true, value: { id, approved, ...(typeof note === 'string' && { note }) } };
  }
  if (typeof result === 'string') return { ok: true, value: { id, result } };
  if (typeof error === 'string') return { ok: true, value: { id, error } };
  return refused(BAD_RESUME);
}

/**
 * Bounds on a client's history, per request, on both wires. The agent keeps the newest
 * `HISTORY_MAX_MESSAGES` messages and cuts each one's text at `HISTORY_MAX_CHARS`; its memory
 * budget (`AGENT_MEMORY_TOKENS`) then applies to what is left, as to any conversation.
 */
export const HISTORY_MAX_MESSAGES = 100;
export const HISTORY_MAX_CHARS = 16_000;

/**
 * What a client sends of the conversation in all, in characters: the widget sends the newest
 * messages that fit (as AG-UI, counted as JSON, the one being sent always; on the chat route, the
 * turns' `content`, which the BFF holds `history` to). Four times what the agent keeps by default
 * (AGENT_MEMORY_TOKENS, 8,000 tokens of about 4 characters), and far inside the BFF's bound on a body.
 */
export const HISTORY_MAX_TOTAL_CHARS = 128_000;
