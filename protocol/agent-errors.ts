/**
 * Why a run failed (`AGENT_ERROR.code` on Wire 1, `RUN_ERROR.code` on AG-UI), each with the one
 * sentence the agent says for it, whether sending the same message again may work, and the HTTP
 * status of the agent's JSON (non-streaming) answer for it. The agent sends exactly these
 * (agent/src/errors.ts); the BFF shows a browser these sentences and nothing else an agent writes in
 * an error, so no stack, URL, address or key in an agent's message can reach a user (they are Wire 2
 * codes too: chat-errors.ts).
 */
export const AGENT_ERRORS = {
  /** The payload has no usable prompt: not JSON, or no non-empty `prompt` / `message` string. */
  bad_request: {
    message: 'The request needs a JSON body with a non-empty "prompt" string.',
    retryable: false,
    status: 400,
  },
  /** The model kept asking for tools past the run's step budget (`AGENT_MAX_STEPS`). */
  step_limit: {
    message: 'The agent took too many steps without finishing and was stopped.',
    retryable: false,
    status: 500,
  },
  /** The caller went away; the run was stopped. */
  cancelled: { message: 'The run was cancelled.', retryable: false, status: 500 },
  /** The model provider is rate-limiting or out of quota. Worth retrying as is, a little later. */
  model_throttled: { message: 'The model is busy right now. Try again shortly.', retryable: true, status: 429 },
  /** The model provider failed, timed out or could not be reached. Worth retrying as is. */
  model_unavailable: {
    message: 'The model is not available right now. Try again shortly.',
    retryable: true,
    status: 503,
  },
  /** The agent may not use its model: credentials, permissions, or the model is not enabled. */
  model_access_denied: { message: 'The agent is not allowed to use its model.', retryable: false, status: 500 },
  /** The model provider refused the request as invalid, e.g. the conversation is too long for it. */
  model_rejected: { message: 'The model could not accept this conversation.', retryable: false, status: 500 },
  /** Anything else: a bug in the agent. Details are in the runtime's log. */
  agent_error: { message: 'The agent failed while answering.', retryable: false, status: 500 },
} as const satisfies Record<string, { message: string; retryable: boolean; status: number }>;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

export function isAgentErrorCode(code: string): code is AgentErrorCode {
  return Object.hasOwn(AGENT_ERRORS, code);
}
