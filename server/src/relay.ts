import type { AgentEvent } from '../../protocol/agent-events.ts';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { MalformedUpstreamError } from './agentcore.ts';

export interface ChatError {
  code: string;
  message: string;
  retryable: boolean;
}

/** AGENT_ERROR codes (from the agent) that are worth retrying as they are. */
const RETRYABLE_AGENT_CODES = new Set(['model_throttled', 'model_unavailable']);

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
      return {
        event: 'error',
        data: { code: e.data.code, message: e.data.message, retryable: RETRYABLE_AGENT_CODES.has(e.data.code) },
      };
    case 'AGENT_END':
      return undefined;
  }
}

/**
 * An AgentCore / SDK / network failure in words fit for an end user. Nothing of the original
 * message goes to the browser: it may carry an ARN, an account id or a request id.
 */
export function describeUpstreamError(error: unknown): ChatError {
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const code = (error as { code?: string })?.code;
  switch (name) {
    case 'ThrottlingException':
      return { code: 'throttled', message: 'The assistant is handling too many requests. Try again in a moment.', retryable: true };
    case 'ServiceQuotaExceededException':
      return { code: 'quota_exceeded', message: 'The assistant has reached its usage limit. Try again later.', retryable: true };
    case 'AccessDeniedException':
    case 'UnauthorizedException':
    case 'UnrecognizedClientException':
    case 'CredentialsProviderError':
      return { code: 'upstream_denied', message: 'This site is not allowed to reach its assistant. Contact the site owner.', retryable: false };
    case 'ResourceNotFoundException':
      return { code: 'agent_not_found', message: 'The assistant for this site could not be found. Contact the site owner.', retryable: false };
    case 'ValidationException':
      return { code: 'upstream_rejected', message: 'The assistant could not accept this message.', retryable: false };
    case 'RuntimeClientError':
      return { code: 'agent_failed', message: 'The assistant failed to answer. Try again.', retryable: true };
    case 'MalformedUpstreamError':
      return { code: 'upstream_malformed', message: 'The assistant sent an answer that could not be read. Try again.', retryable: true };
  }
  if ((status ?? 0) >= 500 || name === 'InternalServerException') {
    return { code: 'upstream_unavailable', message: 'The assistant is temporarily unavailable. Try again.', retryable: true };
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE' || name === 'TimeoutError') {
    return { code: 'upstream_unreachable', message: 'The assistant could not be reached. Try again.', retryable: true };
  }
  return { code: 'internal_error', message: 'Something went wrong while answering. Try again.', retryable: true };
}

/**
 * The whole browser stream for one run: `start`, then each agent event mapped the moment it
 * arrives, then exactly one `done`. Never throws: any failure becomes `error` followed by `done`.
 */
export async function* relay(agentEvents: () => AsyncIterable<AgentEvent>, sessionId: string): AsyncGenerator<ChatEvent> {
  yield { event: 'start', data: { session_id: sessionId } };
  let failed = false;
  try {
    for await (const e of agentEvents()) {
      if (e.event === 'AGENT_END') {
        yield { event: 'done', data: { status: failed ? 'error' : 'complete' } };
        return;
      }
      const chatEvent = toChatEvent(e, sessionId);
      if (chatEvent?.event === 'error') failed = true;
      if (chatEvent) yield chatEvent;
    }
    throw new MalformedUpstreamError('The agent stream ended before AGENT_END');
  } catch (error) {
    yield { event: 'error', data: describeUpstreamError(error) };
    yield { event: 'done', data: { status: 'error' } };
  }
}
