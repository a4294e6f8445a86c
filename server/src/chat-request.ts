import { randomUUID } from 'node:crypto';
import type { ChatRequest } from '../../protocol/chat-events.ts';
import { HttpError } from './http-errors.ts';
import { SESSION_ID_PATTERN } from './session-id.ts';

const FIELDS = new Set(['message', 'session_id']);

/**
 * The largest body a valid request can have: the longest message with every character
 * JSON-escaped as \uXXXX (6 bytes), plus room for the session id and the punctuation.
 */
export function bodyLimitBytes(maxMessageChars: number): number {
  return maxMessageChars * 6 + 1024;
}

/** Checks a parsed `POST /v1/chat/stream` body; a missing `session_id` gets a fresh one. */
export function parseChatRequest(body: unknown, maxMessageChars: number): Required<ChatRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError('invalid_body');
  }
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) {
    throw new HttpError('unknown_field', { field: JSON.stringify(unknown.slice(0, 64)) });
  }
  const { message, session_id } = body as Record<string, unknown>;
  if (typeof message !== 'string' || !message.trim()) throw new HttpError('invalid_message');
  if (message.length > maxMessageChars) throw new HttpError('message_too_long', { max: maxMessageChars });
  if (session_id !== undefined && (typeof session_id !== 'string' || !SESSION_ID_PATTERN.test(session_id))) {
    throw new HttpError('invalid_session_id');
  }
  return { message, session_id: session_id ?? randomUUID() };
}
