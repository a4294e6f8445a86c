import { readAgentEvents } from '../../protocol/agent-events.ts';
import { type ChatError, type ChatErrorCode, chatError } from '../../protocol/chat-errors.ts';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { ChatRun } from '../../protocol/mapping.ts';
import type { SseMessage } from '../../protocol/sse.ts';

/**
 * Why the BFF itself stopped a run before it finished (the browser left, the agent went quiet,
 * the run took too long, the server is shutting down). Used as the AbortSignal's reason, so the
 * browser is told exactly this, whatever the aborted call happened to throw.
 */
export class RunStopped extends Error {
  override name = 'RunStopped';
  readonly chatError: ChatError;
  constructor(code: ChatErrorCode) {
    const error = chatError(code);
    super(error.message);
    this.chatError = error;
  }
}

/**
 * The run was stopped on purpose — its cancel endpoint, or nobody read it for the grace period — and
 * ends with `done {status: "cancelled"}` alone. Used as the AbortSignal's reason, like RunStopped.
 */
export class RunCancelled extends Error {
  override name = 'RunCancelled';
  constructor() {
    super('The run was cancelled');
  }
}

export const CANCELLED = new RunCancelled();

/** The upstream response ended cleanly but before AGENT_END. */
export class IncompleteUpstreamError extends Error {
  override name = 'IncompleteUpstreamError';
}

/** AWS SDK error names, by the Wire 2 code a browser is told. */
const SDK_ERRORS: Record<string, ChatErrorCode> = {
  ThrottlingException: 'throttled',
  ThrottledException: 'throttled',
  ServiceQuotaExceededException: 'quota_exceeded',
  AccessDeniedException: 'upstream_denied',
  UnauthorizedException: 'upstream_denied',
  UnrecognizedClientException: 'upstream_denied',
  InvalidSignatureException: 'upstream_denied',
  ExpiredTokenException: 'upstream_denied',
  CredentialsProviderError: 'upstream_denied',
  ResourceNotFoundException: 'agent_not_found',
  ValidationException: 'upstream_rejected',
  ConflictException: 'session_busy',
  RuntimeClientError: 'agent_failed',
  AgentRuntimeError: 'agent_failed',
  MalformedUpstreamError: 'upstream_malformed',
  SseEventTooLargeError: 'upstream_malformed',
  IncompleteUpstreamError: 'upstream_incomplete',
};

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * An AgentCore / SDK / network failure in words fit for an end user. Nothing of the original
 * message goes to the browser: it may carry an ARN, an account id or a request id.
 */
export function describeUpstreamError(error: unknown): ChatError {
  if (error instanceof RunStopped) return error.chatError;
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
  const code = (error as { code?: unknown } | undefined)?.code;
  const known = Object.hasOwn(SDK_ERRORS, name) ? SDK_ERRORS[name] : undefined;
  if (known) return chatError(known);
  if (status >= 500 || name === 'InternalServerException') return chatError('upstream_unavailable');
  if (status === 429) return chatError('throttled');
  if (status >= 400) return chatError('upstream_rejected');
  // The SDK names a reset before the response "TimeoutError"; a reset mid-body is a plain "aborted".
  if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || name === 'TimeoutError')
    return chatError('upstream_unreachable');
  return chatError('internal_error');
}

/**
 * The whole browser stream for one run: `start`, then each upstream event checked as Wire 1 and
 * mapped the moment it arrives, then exactly one `done` (after which it stops reading). Events come
 * and go in batches (those one upstream chunk completed), so a burst costs one step, not one per
 * event. A malformed event fails the run after the events before it, which arrived intact. Never
 * throws: any failure becomes `error` followed by `done`, a cancelled run `done` alone; `onFailure`
 * sees the original error (for the server's log).
 */
export async function* relay(
  upstream: () => AsyncIterable<readonly SseMessage[]>,
  sessionId: string,
  runId: string,
  onFailure?: (error: unknown, described: ChatError) => void,
): AsyncGenerator<ChatEvent[]> {
  const run = new ChatRun(sessionId, runId);
  yield run.start();
  try {
    for await (const messages of upstream()) {
      const { events, error } = readAgentEvents(messages);
      const out = run.map(events);
      if (out.length) yield out;
      if (run.ended) return;
      if (error) throw error;
    }
    throw new IncompleteUpstreamError('The agent stream ended before AGENT_END');
  } catch (error) {
    if (error instanceof RunCancelled) {
      yield run.cancel();
      return;
    }
    const described = describeUpstreamError(error);
    onFailure?.(error, described);
    yield run.fail(described);
  }
}
