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
    throw new HttpError(400, 'invalid_body', 'The body must be a JSON object like {"message": "Hello"}.');
  }
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) {
    throw new HttpError(400, 'unknown_field', `Unknown field ${JSON.stringify(unknown.slice(0, 64))}: send "message" and, optionally, "session_id".`);
  }
  const { message, session_id } = body as Record<string, unknown>;
  if (typeof message !== 'string') {
    throw new HttpError(400, 'invalid_message', '"message" is required and must be a string.');
  }
  if (!message.trim()) throw new HttpError(400, 'invalid_message', '"message" must not be empty.');
  if (message.length > maxMessageChars) {
    throw new HttpError(400, 'message_too_long', `"message" must be at most ${maxMessageChars} characters.`);
  }
  if (session_id !== undefined && (typeof session_id !== 'string' || !SESSION_ID_PATTERN.test(session_id))) {
    throw new HttpError(400, 'invalid_session_id', '"session_id" must be 1–256 characters of A-Z a-z 0-9 . _ : -');
  }
  return { message, session_id: session_id ?? randomUUID() };
}
