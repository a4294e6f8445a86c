import { randomUUID } from 'node:crypto';
import {
  type AgentRequest,
  HISTORY_MAX_MESSAGES,
  HISTORY_MAX_TOTAL_CHARS,
  type HistoryTurn,
  PAGE_TOOL_DESCRIPTION_MAX_CHARS,
  PAGE_TOOL_PARAMETERS_MAX_CHARS,
  PAGE_TOOL_RESULT_MAX_CHARS,
  PAGE_TOOLS_MAX,
  type ResumeAnswer,
  checkResume,
} from '../../protocol/agent-request.ts';
import { checkPageTools } from '../../protocol/page-tools.ts';
import { HttpError } from './http-errors.ts';
import { SESSION_ID_PATTERN } from './session-id.ts';
import { isPlainObject } from '../../protocol/json.ts';

const FIELDS = new Set(['message', 'resume', 'session_id', 'tools', 'history']);
const RESUME_FIELDS = new Set(['id', 'approved', 'note', 'result', 'error']);
const TOOL_FIELDS = new Set(['name', 'description', 'parameters']);
/** Tool call ids are a model provider's (Bedrock's are about 30 characters): longer is not one. */
const CALL_ID_MAX_CHARS = 256;

/**
 * The most bytes a request's page tools take as JSON.stringify writes them: names, descriptions
 * with every character escaped (6 bytes), parameters already measured as JSON characters (at most 3
 * bytes each in UTF-8), and the punctuation around them.
 */
const TOOLS_MAX_BYTES =
  PAGE_TOOLS_MAX * (64 + PAGE_TOOL_DESCRIPTION_MAX_CHARS * 6 + PAGE_TOOL_PARAMETERS_MAX_CHARS * 3 + 64);

/**
 * The largest body a valid request can have: the longest message (or page tool result: a body has
 * one or the other) and the longest history with every character JSON-escaped as \uXXXX (6 bytes),
 * room for each turn's punctuation, the longest page tools list, the session id and the rest. About
 * 1.35 MB with the default message length.
 */
export function bodyLimitBytes(maxMessageChars: number): number {
  return (
    (Math.max(maxMessageChars, PAGE_TOOL_RESULT_MAX_CHARS) + HISTORY_MAX_TOTAL_CHARS) * 6 +
    HISTORY_MAX_MESSAGES * 64 +
    TOOLS_MAX_BYTES +
    1024
  );
}

/** A checked `POST /v1/chat/stream` body: the conversation's id, and what to send the agent. */
export interface ChatTurn {
  session_id: string;
  /** `{prompt, history?, tools?}` or `{resume, tools?}`: Wire 1's body. */
  request: AgentRequest;
}

/** The first key of `object` that is not one of `fields`, quoted for an error sentence. */
export function unknownKey(object: object, fields: ReadonlySet<string>): string | undefined {
  const key = Object.keys(object).find((k) => !fields.has(k));
  return key === undefined ? undefined : JSON.stringify(key.slice(0, 64));
}

function readResume(raw: unknown): ResumeAnswer {
  const checked = checkResume(raw);
  if (!checked.ok) throw new HttpError('invalid_resume', { explanation: checked.message });
  const resume = checked.value;
  const unknown = unknownKey(raw as object, RESUME_FIELDS);
  const text = 'result' in resume ? resume.result : 'error' in resume ? resume.error : '';
  const problem =
    unknown !== undefined
      ? `Unknown field ${unknown} in "resume".`
      : resume.id.length > CALL_ID_MAX_CHARS
        ? `"resume.id" is longer than ${CALL_ID_MAX_CHARS} characters.`
        : text.length > PAGE_TOOL_RESULT_MAX_CHARS
          ? `The page tool's ${'result' in resume ? 'result' : 'error'} is longer than ${PAGE_TOOL_RESULT_MAX_CHARS} characters.`
          : undefined;
  if (problem) throw new HttpError('invalid_resume', { explanation: problem });
  return resume;
}

function readTools(raw: unknown): AgentRequest['tools'] {
  const checked = checkPageTools(raw);
  if (!checked.ok) throw new HttpError('invalid_tools', { explanation: checked.message });
  if (checked.value.length === 0) return undefined;
  // A field the agent would drop is more likely a mistake than a wish (`parameter`, a `handler` sent by accident).
  for (const [i, tool] of (raw as object[]).entries()) {
    const unknown = unknownKey(tool, TOOL_FIELDS);
    if (unknown !== undefined)
      throw new HttpError('invalid_tools', {
        explanation: `Bad page tools: tool ${i} has a field ${unknown}; a tool is {name, description, parameters}.`,
      });
  }
  return checked.value;
}

const badHistory = () =>
  new HttpError('invalid_history', { max_turns: HISTORY_MAX_MESSAGES, max_chars: HISTORY_MAX_TOTAL_CHARS });

/** `history` as the agent gets it: each turn's role and content only, within the bounds (else 400). */
function checkHistory(history: unknown): HistoryTurn[] {
  if (history === undefined) return [];
  if (!Array.isArray(history) || history.length > HISTORY_MAX_MESSAGES) throw badHistory();
  let chars = 0;
  return history.map((turn: unknown) => {
    const { role, content } = (turn ?? {}) as Record<string, unknown>;
    if ((role !== 'user' && role !== 'assistant') || typeof content !== 'string') throw badHistory();
    chars += content.length;
    if (chars > HISTORY_MAX_TOTAL_CHARS) throw badHistory();
    return { role, content };
  });
}

/**
 * Checks a parsed `POST /v1/chat/stream` body — a new `message` (with the turns before it, `history`),
 * or `resume`, the answer to one call a paused run waits on, with the page's `tools` — within
 * protocol's bounds; a missing `session_id` gets a fresh one. A resume's `history` is checked but not
 * passed on: the paused run lives in the agent's memory. Each refusal is an HttpError whose sentence
 * says what was wrong.
 */
export function parseChatRequest(body: unknown, maxMessageChars: number): ChatTurn {
  if (!isPlainObject(body)) throw new HttpError('invalid_body');
  const unknown = unknownKey(body, FIELDS);
  if (unknown !== undefined) {
    throw new HttpError('unknown_field', {
      field: unknown,
      fields: '"message" (or "resume"), "session_id", "tools" and "history"',
    });
  }
  const { message, resume, session_id, tools } = body;
  if (message !== undefined && resume !== undefined) throw new HttpError('message_and_resume');
  const history = checkHistory(body.history);
  let request: AgentRequest;
  if (resume !== undefined) request = { resume: readResume(resume) };
  else {
    if (typeof message !== 'string' || !message.trim()) throw new HttpError('invalid_message');
    if (message.length > maxMessageChars) throw new HttpError('message_too_long', { max: maxMessageChars });
    request = history.length ? { prompt: message, history } : { prompt: message };
  }
  if (session_id !== undefined && (typeof session_id !== 'string' || !SESSION_ID_PATTERN.test(session_id))) {
    throw new HttpError('invalid_session_id');
  }
  const pageTools = readTools(tools);
  if (pageTools) request.tools = pageTools;
  return { session_id: (session_id as string | undefined) ?? randomUUID(), request };
}
