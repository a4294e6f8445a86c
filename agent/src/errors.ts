import { AGENT_ERRORS, type AgentErrorCode } from '../../protocol/agent-errors.ts';

export interface RunFailure {
  code: AgentErrorCode;
  /** The code's fixed sentence (protocol/agent-errors.ts): no stack, no provider text, no ARN or account id. */
  message: string;
}

export function failure(code: AgentErrorCode): RunFailure {
  return { code, message: AGENT_ERRORS[code].message };
}

/** AWS SDK error names (Bedrock Runtime and the credential chain) by what a caller can do about them. */
const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
const UNAVAILABLE = new Set([
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelStreamErrorException',
  'ModelNotReadyException',
  'ModelTimeoutException',
  'ModelErrorException',
  'TimeoutError',
]);
const DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'CredentialsProviderError',
  'ResourceNotFoundException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** Why a run failed, in words fit for a caller. The error itself goes to the runtime's log only. */
export function describeError(error: unknown, signal?: AbortSignal): RunFailure {
  if (signal?.aborted) return failure('cancelled');
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    lc_error_code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (name === 'GraphRecursionError') return failure('step_limit');
  if (THROTTLED.has(name) || status === 429) return failure('model_throttled');
  if (DENIED.has(name) || status === 401 || status === 403) return failure('model_access_denied');
  if (name === 'ValidationException') return failure('model_rejected');
  if (
    UNAVAILABLE.has(name) ||
    status >= 500 ||
    NETWORK_CODES.has(e.code ?? '') ||
    e.lc_error_code === 'MODEL_STREAM_TIMEOUT'
  ) {
    return failure('model_unavailable');
  }
  return failure('agent_error');
}
