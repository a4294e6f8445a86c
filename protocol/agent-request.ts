/**
 * What callers send the agent runtime's `POST /invocations`. Two bodies are accepted:
 *
 * - Wire 1's own, `AgentRequest` below (the seed's `{"prompt"}`, or `{"message"}`), answered with the
 *   Wire 1 events of `agent-events.ts`;
 * - an AG-UI `RunAgentInput` (`@ag-ui/core`), answered with AG-UI events.
 *
 * Both may carry the conversation as the client shows it. The agent uses it only when it has no
 * memory of the session (a new microVM after AgentCore's idle timeout, a redeploy), and only as the
 * user's own words: see README, "Agent" → "AG-UI".
 */

/** The header that names the AgentCore runtime session (AgentCore sets it); the conversation is kept under it. */
export const RUNTIME_SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

/** One earlier message of the conversation, as the chat shows it. */
export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** Body of a Wire 1 invocation. */
export interface AgentRequest {
  /** The user's new message. `message` is accepted in its place. */
  prompt: string;
  /** The turns before `prompt`, oldest first, within the limits below. */
  history?: HistoryTurn[];
}

/**
 * Bounds on a client's history, per request, on both wires. The agent keeps the newest
 * `HISTORY_MAX_MESSAGES` messages and cuts each one's text at `HISTORY_MAX_CHARS`; its memory
 * budget (`AGENT_MEMORY_TOKENS`) then applies to what is left, as to any conversation.
 */
export const HISTORY_MAX_MESSAGES = 100;
export const HISTORY_MAX_CHARS = 16_000;
