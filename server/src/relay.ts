import { AGENT_ERRORS, isAgentErrorCode } from '../../protocol/agent-errors.ts';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import type { ChatEvent, ChatEventData } from '../../protocol/chat-events.ts';

export type ChatError = ChatEventData['error'];

/**
 * Why the BFF itself stopped a run before it finished (the browser left, the agent went quiet,
 * the run took too long, the server is shutting down). Used as the AbortSignal's reason, so the
 * browser is told exactly this, whatever the aborted call happened to throw.
 */
export class RunStopped extends Error {
  override name = 'RunStopped';
  readonly chatError: ChatError;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.chatError = { code, message, retryable };
  }
}

/** The upstream response ended cleanly but before AGENT_END. */
export class IncompleteUpstreamError extends Error {
  override name = 'IncompleteUpstreamError';
}

/**
 * The browser's error for an agent's AGENT_ERROR: an allowlist, not a filter. A code of the
 * catalogue (protocol/agent-errors.ts) comes with that code's fixed sentence, which is what our agent
 * says; any other code is `agent_error`. Whatever else the agent wrote — it is a separate deployment,
 * maybe not ours — stays out of the browser.
 */
function agentError(code: string): ChatError {
  const known = isAgentErrorCode(code) ? code : 'agent_error';
  return { code: known, ...AGENT_ERRORS[known] };
}

/** The browser event for one agent event; `undefined` for events the browser does not see. */
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
    case 'AGENT_END':
      return undefined;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * An AgentCore / SDK / network failure in words fit for an end user. Nothing of the original
 * message goes to the browser: it may carry an ARN, an account id or a request id.
 */
export function describeUpstreamError(error: unknown): ChatError {
  if (error instanceof RunStopped) return error.chatError;
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (name) {
    case 'ThrottlingException':
    case 'ThrottledException':
      return { code: 'throttled', message: 'The assistant is handling too many requests. Try again in a moment.', retryable: true };
    case 'ServiceQuotaExceededException':
      return { code: 'quota_exceeded', message: 'The assistant has reached its usage limit. Try again later.', retryable: true };
    case 'AccessDeniedException':
    case 'UnauthorizedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
    case 'CredentialsProviderError':
      return { code: 'upstream_denied', message: 'This site is not allowed to reach its assistant. Contact the site owner.', retryable: false };
    case 'ResourceNotFoundException':
      return { code: 'agent_not_found', message: 'The assistant for this site could not be found. Contact the site owner.', retryable: false };
    case 'ValidationException':
      return { code: 'upstream_rejected', message: 'The assistant could not accept this message.', retryable: false };
    case 'ConflictException':
      return { code: 'session_busy', message: 'This conversation is still busy with an earlier message. Try again when it has finished.', retryable: true };
    case 'RuntimeClientError':
    case 'AgentRuntimeError':
      return { code: 'agent_failed', message: 'The assistant failed to answer. Try again.', retryable: true };
    case 'MalformedUpstreamError':
    case 'SseEventTooLargeError':
      return { code: 'upstream_malformed', message: 'The assistant sent an answer that could not be read. Try again.', retryable: true };
    case 'IncompleteUpstreamError':
      return { code: 'upstream_incomplete', message: 'The assistant\'s answer was cut off. Try again.', retryable: true };
  }
  if (status >= 500 || name === 'InternalServerException') {
    return { code: 'upstream_unavailable', message: 'The assistant is temporarily unavailable. Try again.', retryable: true };
  }
  if (status === 429) {
    return { code: 'throttled', message: 'The assistant is handling too many requests. Try again in a moment.', retryable: true };
  }
  if (status >= 400) {
    return { code: 'upstream_rejected', message: 'The assistant could not accept this message.', retryable: false };
  }
  // The SDK names a reset before the response "TimeoutError"; a reset mid-body is a plain "aborted".
  if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || name === 'TimeoutError') {
    return { code: 'upstream_unreachable', message: 'The connection to the assistant failed. Try again.', retryable: true };
  }
  return { code: 'internal_error', message: 'Something went wrong while answering. Try again.', retryable: true };
}

/**
 * The whole browser stream for one run: `start`, then each agent event mapped the moment it
 * arrives, then exactly one `done` (after which it stops reading). Events come and go in batches
 * (those one upstream chunk completed), so a burst costs one step, not one per event. Never
 * throws: any failure becomes `error` followed by `done`; `onFailure` sees the original error
 * (for the server's log).
 */
export async function* relay(
  agentEvents: () => AsyncIterable<readonly AgentEvent[]>,
  sessionId: string,
  onFailure?: (error: unknown, described: ChatError) => void,
): AsyncGenerator<ChatEvent[]> {
  yield [{ event: 'start', data: { session_id: sessionId } }];
  let failed = false;
  try {
    for await (const batch of agentEvents()) {
      const out: ChatEvent[] = [];
      for (const e of batch) {
        if (e.event === 'AGENT_END') {
          out.push({ event: 'done', data: { status: failed ? 'error' : 'complete' } });
          yield out;
          return;
        }
        const chatEvent = toChatEvent(e, sessionId);
        if (chatEvent?.event === 'error') failed = true;
        if (chatEvent) out.push(chatEvent);
      }
      if (out.length) yield out;
    }
    throw new IncompleteUpstreamError('The agent stream ended before AGENT_END');
  } catch (error) {
    const described = describeUpstreamError(error);
    onFailure?.(error, described);
    yield [
      { event: 'error', data: described },
      { event: 'done', data: { status: 'error' } },
    ];
  }
}
