/**
 * Wire 1: the events the agent runtime streams to the BFF (AgentCore response stream), as SSE
 * `event: <name>` + `data: <json>`. See DESIGN.md, "Wire 1".
 */
export interface AgentEventData {
  AGENT_START: { timestamp: string; session_id: string };
  LLM_TOKEN: { timestamp: string; delta: string };
  TOOL_CALL: { timestamp: string; id: string; tool: string; args: Record<string, unknown> };
  TOOL_RESULT:
    | { timestamp: string; id: string; tool: string; result: string }
    | { timestamp: string; id: string; tool: string; error: string };
  LLM_RESPONSE: { timestamp: string; content: string };
  AGENT_ERROR: { timestamp: string; code: AgentErrorCode; message: string };
  AGENT_END: { timestamp: string; output: string };
}

/**
 * Why a run failed (`AGENT_ERROR.code`). The message beside it is written for people and never
 * carries a stack trace, an ARN or a provider's raw error text.
 */
export type AgentErrorCode =
  /** The payload has no usable prompt: not JSON, or no non-empty `prompt` / `message` string. */
  | 'bad_request'
  /** The model kept asking for tools past the run's step budget (`AGENT_MAX_STEPS`). */
  | 'step_limit'
  /** The caller went away; the run was stopped. */
  | 'cancelled'
  /** The model provider is rate-limiting or out of quota. Worth retrying as is, a little later. */
  | 'model_throttled'
  /** The model provider failed, timed out or could not be reached. Worth retrying as is. */
  | 'model_unavailable'
  /** The agent may not use its model: credentials, permissions, or the model is not enabled. */
  | 'model_access_denied'
  /** The model provider refused the request as invalid, e.g. the conversation is too long for it. */
  | 'model_rejected'
  /** Anything else: a bug in the agent. Details are in the runtime's log. */
  | 'agent_error';

export type AgentEventName = keyof AgentEventData;

export type AgentEvent = { [K in AgentEventName]: { event: K; data: AgentEventData[K] } }[AgentEventName];
