import type { AgentErrorCode } from './agent-errors.ts';

export type { AgentErrorCode };

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

export type AgentEventName = keyof AgentEventData;

export type AgentEvent = { [K in AgentEventName]: { event: K; data: AgentEventData[K] } }[AgentEventName];
