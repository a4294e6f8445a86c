import { AGENT_ERRORS, type AgentErrorCode, isAgentErrorCode } from './agent-errors.ts';

/** One Wire 2 error: its sentence for people, whether sending again may work, its HTTP status if answered before a stream. */
export interface ChatErrorSpec {
  /** `{name}` is filled in from the parameters the sender gives (see `chatError`). */
  message: string;
  retryable: boolean;
  /** Set for errors answered before a stream opens, as `{"error": {code, message}}` with this status. */
  status?: number;
}

/**
 * Every error code the BFF sends a browser, in one place: as an HTTP error before a stream opens
 * (`status`), or as a stream's `error` event (then `done`). The agent's own codes (AGENT_ERRORS)
 * reach the browser as they are, with their sentences; nothing else an upstream writes does.
 * Whether an error is retryable follows from its status where it has one (`retryableStatus`), so a
 * browser that only sees the status of a proxy's page still knows.
 */
export const CHAT_ERRORS = {
  // Before a stream: the request.
  invalid_json: {
    status: 400,
    retryable: false,
    message: 'The body is not valid JSON: send an object like {"message": "Hello"}.',
  },
  invalid_body: { status: 400, retryable: false, message: 'The body must be a JSON object like {"message": "Hello"}.' },
  unknown_field: { status: 400, retryable: false, message: 'Unknown field {field}: this request takes {fields}.' },
  invalid_message: {
    status: 400,
    retryable: false,
    message: '"message" is required and must be a non-empty string (or "resume", to answer a paused run).',
  },
  message_and_resume: { status: 400, retryable: false, message: 'Send "message" or "resume", not both.' },
  invalid_resume: { status: 400, retryable: false, message: '{explanation}' },
  invalid_tools: { status: 400, retryable: false, message: '{explanation}' },
  invalid_feedback: { status: 400, retryable: false, message: 'Bad feedback: {problem}.' },
  message_too_long: { status: 400, retryable: false, message: '"message" must be at most {max} characters.' },
  invalid_session_id: {
    status: 400,
    retryable: false,
    message: '"session_id" must be 1–256 characters of A-Z a-z 0-9 . _ : -',
  },
  invalid_history: {
    status: 400,
    retryable: false,
    message:
      '"history" must be a list of at most {max_turns} turns {"role": "user" | "assistant", "content": "…"}, with at most {max_chars} characters of content in all.',
  },
  // Before a stream, POST /v1/agui: the RunAgentInput (its first problem, in a sentence for the caller).
  invalid_run_input: { status: 400, retryable: false, message: '{explanation}' },
  invalid_id: {
    status: 400,
    retryable: false,
    message: '"{field}" must be 1–256 characters of A-Z a-z 0-9 . _ : -',
  },
  request_aborted: { status: 400, retryable: false, message: 'The request body was cut off.' },
  invalid_body_size: { status: 400, retryable: false, message: 'The body does not match its Content-Length.' },
  unreadable_body: { status: 400, retryable: false, message: 'The request body could not be read.' },
  body_too_large: { status: 413, retryable: false, message: 'The body must be at most {max} bytes.' },
  unsupported_media_type: {
    status: 415,
    retryable: false,
    message: 'Send the body as Content-Type: application/json.',
  },
  unsupported_encoding: {
    status: 415,
    retryable: false,
    message: 'Send the body uncompressed, without a Content-Encoding.',
  },
  unsupported_charset: { status: 415, retryable: false, message: 'Send the body as UTF-8.' },
  not_acceptable: { status: 406, retryable: false, message: 'The answer is a stream: accept text/event-stream.' },
  method_not_allowed: { status: 405, retryable: false, message: '{path} takes {allow}, not {method}.' },
  not_found: { status: 404, retryable: false, message: 'Nothing at {method} {path}.' },
  // Before a stream: resuming or stopping a run.
  run_not_found: {
    status: 404,
    retryable: false,
    message: 'This answer is no longer available: it finished too long ago, or never existed.',
  },
  invalid_event_id: {
    status: 400,
    retryable: false,
    message: 'Last-Event-ID must be "<run id>:<sequence>" of this run, and "after" a sequence number.',
  },
  resume_unavailable: {
    status: 503,
    retryable: true,
    message: 'Answers cannot be resumed or stopped right now. Try again in a moment.',
  },
  // Before a stream: who is calling, and how often.
  origin_not_allowed: {
    status: 403,
    retryable: false,
    message:
      "This origin is not allowed to use this API: the server's ALLOWED_ORIGINS (or PUBLIC_ORIGIN) does not list it.",
  },
  unauthorized: {
    status: 401,
    retryable: false,
    message: 'Sign in first: this service needs Authorization: Bearer <token>.',
  },
  invalid_token: {
    status: 401,
    retryable: false,
    message: 'The sign-in token was refused (expired, naming no user, or not for this service): sign in again.',
  },
  auth_unavailable: {
    status: 503,
    retryable: true,
    message: 'Sign-in cannot be checked right now. Try again in a moment.',
  },
  rate_limited: { status: 429, retryable: true, message: 'Too many requests {who}: try again in {seconds} s.' },
  too_many_connections: {
    status: 429,
    retryable: true,
    message: 'Too many requests in progress from this address: at most {max} at a time.',
  },
  // Before a stream (409 from this BFF's lock) or in it (AgentCore's ConflictException): the same wait.
  session_busy: {
    status: 409,
    retryable: true,
    message:
      'This conversation is still answering an earlier message: wait for its done event (or stop it) before sending the next.',
  },
  // Before a stream or in it.
  shutting_down: { status: 503, retryable: true, message: 'The server is restarting. Try again in a moment.' },
  internal_error: { status: 500, retryable: true, message: 'Something went wrong while answering. Try again.' },
  // In a stream: AgentCore, the SDK or the network failed (the original message never reaches a browser).
  throttled: { retryable: true, message: 'The assistant is handling too many requests. Try again in a moment.' },
  quota_exceeded: { retryable: true, message: 'The assistant has reached its usage limit. Try again later.' },
  upstream_denied: {
    retryable: false,
    message: 'This site is not allowed to reach its assistant. Contact the site owner.',
  },
  agent_not_found: {
    retryable: false,
    message: 'The assistant for this site could not be found. Contact the site owner.',
  },
  upstream_rejected: { retryable: false, message: 'The assistant could not accept this message.' },
  agent_failed: { retryable: true, message: 'The assistant failed to answer. Try again.' },
  upstream_malformed: { retryable: true, message: 'The assistant sent an answer that could not be read. Try again.' },
  upstream_incomplete: { retryable: true, message: "The assistant's answer was cut off. Try again." },
  upstream_unavailable: { retryable: true, message: 'The assistant is temporarily unavailable. Try again.' },
  upstream_unreachable: { retryable: true, message: 'The connection to the assistant failed. Try again.' },
  // In a stream: the BFF stopped the run.
  upstream_timeout: { retryable: true, message: 'The assistant stopped responding. Try again.' },
  run_timeout: { retryable: false, message: 'The answer took too long and was stopped.' },
  run_too_large: { retryable: false, message: 'The answer grew too long and was stopped.' },
  // In a stream read on another BFF instance: the one relaying the run went away.
  run_lost: { retryable: true, message: 'The server relaying this answer went away. Try again.' },
} as const satisfies Record<string, ChatErrorSpec>;

/** Every code of a Wire 2 `error` event or error body: the BFF's own and the agent's. */
export type ChatErrorCode = keyof typeof CHAT_ERRORS | AgentErrorCode;

/** The codes answered before a stream, with an HTTP status. */
export type HttpErrorCode = {
  [K in keyof typeof CHAT_ERRORS]: (typeof CHAT_ERRORS)[K] extends { status: number } ? K : never;
}[keyof typeof CHAT_ERRORS];

/** Wire 2's `error` event data. */
export interface ChatError {
  code: string;
  message: string;
  retryable: boolean;
}

/** Whether an HTTP error status means the same request may work later: busy, throttled, or the server's fault. */
export function retryableStatus(status: number): boolean {
  return status === 409 || status === 429 || status >= 500;
}

export function isChatErrorCode(code: string): code is ChatErrorCode {
  return Object.hasOwn(CHAT_ERRORS, code) || isAgentErrorCode(code);
}

/** The catalogue's entry for a code (the BFF's own, else the agent's). */
export function chatErrorSpec(code: ChatErrorCode): ChatErrorSpec {
  return Object.hasOwn(CHAT_ERRORS, code)
    ? CHAT_ERRORS[code as keyof typeof CHAT_ERRORS]
    : AGENT_ERRORS[code as AgentErrorCode];
}

/** A Wire 2 error for `code`, its sentence's `{name}`s filled from `params`. */
export function chatError(code: ChatErrorCode, params: Record<string, string | number> = {}): ChatError {
  const { message, retryable } = chatErrorSpec(code);
  return { code, message: message.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name])), retryable };
}

/**
 * The errors the widget raises itself, when there is no answer from the BFF to show: it describes
 * them in the page's words (its `strings`; these are the defaults) and marks them retryable or not.
 * A refused request the BFF did not explain (a proxy's page) is `http_<status>`.
 */
export const WIDGET_ERRORS = {
  network: { retryable: true, message: 'Could not reach the chat service. Check your connection and try again.' },
  stream_cut: { retryable: true, message: 'The connection closed before the answer was complete.' },
  bad_content_type: { retryable: false, message: 'The chat service did not answer with a stream.' },
  bad_event: { retryable: true, message: 'The chat service sent something unreadable.' },
  headers: { retryable: true, message: 'Could not prepare the request to the chat service.' },
  no_endpoint: { retryable: false, message: 'This chat has no endpoint to send to.' },
} as const satisfies Record<string, ChatErrorSpec>;

export type WidgetErrorCode = keyof typeof WIDGET_ERRORS;
