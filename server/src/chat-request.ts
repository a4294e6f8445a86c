import { randomUUID } from 'node:crypto';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS, type HistoryTurn } from '../../protocol/agent-request.ts';
import type { ChatRequest } from '../../protocol/chat-events.ts';
import { HttpError } from './http-errors.ts';
import { SESSION_ID_PATTERN } from './session-id.ts';

const FIELDS = new Set(['message', 'session_id', 'history']);

/**
 * The largest body a valid request can have: the longest message and the longest history with
 * every character JSON-escaped as \uXXXX (6 bytes), plus room for each turn's punctuation, the
 * session id and the rest.
 */
export function bodyLimitBytes(maxMessageChars: number): number {
  return (maxMessageChars + HISTORY_MAX_TOTAL_CHARS) * 6 + HISTORY_MAX_MESSAGES * 64 + 1024;
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

/** Checks a parsed `POST /v1/chat/stream` body; a missing `session_id` gets a fresh one, a missing `history` none. */
export function parseChatRequest(body: unknown, maxMessageChars: number): Required<ChatRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError('invalid_body');
  }
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) {
    throw new HttpError('unknown_field', { field: JSON.stringify(unknown.slice(0, 64)) });
  }
  const { message, session_id, history } = body as Record<string, unknown>;
  if (typeof message !== 'string' || !message.trim()) throw new HttpError('invalid_message');
  if (message.length > maxMessageChars) throw new HttpError('message_too_long', { max: maxMessageChars });
  if (session_id !== undefined && (typeof session_id !== 'string' || !SESSION_ID_PATTERN.test(session_id))) {
    throw new HttpError('invalid_session_id');
  }
  return { message, session_id: session_id ?? randomUUID(), history: checkHistory(history) };
}
