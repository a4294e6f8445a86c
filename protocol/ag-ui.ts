/**
 * What the agent adds to AG-UI 1.0 (`@ag-ui/core`, whose types are the protocol itself), for the
 * clients that read its events. See README, "Agent" → "AG-UI".
 *
 * - `RUN_ERROR.code` is an `AgentErrorCode` (`agent-events.ts`), with the same fixed messages as
 *   Wire 1's AGENT_ERROR. AgentCore's own errors in the same stream have upper-case codes.
 * - A run whose caller hung up ends with `RUN_FINISHED` and `outcome: {type: "cancelled"}`.
 */

/**
 * `TOOL_CALL_RESULT` has no field for a failure (AG-UI's `ToolMessage` has `error`), so the agent
 * reports a tool that failed with the reason as `content` and as this event `metadata`.
 */
export interface ToolResultMetadata {
  /** Why the tool failed, fit for people (the same text as `content`). Absent when it succeeded. */
  error?: string;
}
