import type { AgentErrorCode } from './agent-errors.ts';
import type { SseMessage } from './sse.ts';
import { isPlainObject } from './json.ts';

export type { AgentErrorCode };

/**
 * Wire 1: the events the agent runtime streams to the BFF (the AgentCore response stream), as SSE
 * `event: <name>` + `data: <json>`. Every event carries an ISO `timestamp`. docs/protocol.md walks
 * through a run event by event.
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
  /**
   * The run paused before a tool call: the graph's state is kept, and the run ends (AGENT_END
   * follows, after one AGENT_INTERRUPT per call it waits on). Another invocation on the same
   * session with `resume` answers it; a new `prompt` instead declines every call still waiting.
   *
   * `{"timestamp": "…", "id": "tooluse_1", "kind": "approval", "tool": "save_note",
   *   "args": {"text": "buy milk"}, "reason": "Save the note \"buy milk\"?"}`
   */
  AGENT_INTERRUPT: { timestamp: string } & AgentInterrupt;
  /**
   * Follow-up questions the user might ask next, sent just before AGENT_END of a run that
   * answered (never with an error or an interrupt). At most `SUGGESTIONS_MAX_ITEMS` items of at
   * most `SUGGESTION_MAX_CHARS` characters each.
   *
   * `{"timestamp": "…", "items": ["What is that times 3?"]}`
   */
  SUGGESTIONS: { timestamp: string; items: string[] };
  /** Always last; `output` is the answer's final text ("" after an error or an interrupt). */
  AGENT_END: { timestamp: string; output: string };
}

export type AgentEventName = keyof AgentEventData;

export type AgentEvent = { [K in AgentEventName]: { event: K; data: AgentEventData[K] } }[AgentEventName];

/**
 * What a paused run is waiting for (`AGENT_INTERRUPT.kind`):
 *
 * - `approval`: a tool marked `needsApproval` wants to run. Answer `{id, approved, note?}`.
 * - `page_tool`: the model called one of the request's page tools, which runs in the browser.
 *   Answer `{id, result}` with what the tool returned, or `{id, error}` when it failed or timed out.
 *
 * The answer goes in the next invocation's `resume` (see `ResumeAnswer` in `agent-request.ts`).
 */
export type InterruptKind = 'approval' | 'page_tool';

/** One tool call a paused run is waiting on. */
export interface AgentInterrupt {
  /** The tool call's id (the `id` of its TOOL_CALL): the resume names it. */
  id: string;
  kind: InterruptKind;
  tool: string;
  args: Record<string, unknown>;
  /** Why the run waits, in a sentence for people (an approval card shows it). */
  reason: string;
}

export const SUGGESTIONS_MAX_ITEMS = 4;
export const SUGGESTION_MAX_CHARS = 80;

/** Raised when an upstream stream is not valid Wire 1. */
export class MalformedUpstreamError extends Error {
  override name = 'MalformedUpstreamError';
}

/**
 * Raised when the runtime itself reports a failure mid-stream: `bedrock-agentcore` ends a stream
 * whose handler threw with an SSE `error` event, which is not one of ours.
 */
export class AgentRuntimeError extends Error {
  override name = 'AgentRuntimeError';
}

type Check = (data: Record<string, unknown>) => boolean;
const isString = (value: unknown) => typeof value === 'string';

/**
 * What each Wire 1 event must hold for a receiver to use it: the fields named in `AgentEventData`,
 * of their types. (`timestamp` is informational and not checked; extra fields are ignored.) Plain
 * checks, no helpers: the BFF runs one per token.
 */
const VALID: Record<AgentEventName, Check> = {
  AGENT_START: () => true,
  LLM_TOKEN: (d) => isString(d.delta),
  TOOL_CALL: (d) => isString(d.id) && isString(d.tool) && isPlainObject(d.args),
  TOOL_RESULT: (d) => isString(d.id) && isString(d.tool) && (isString(d.result) || isString(d.error)),
  LLM_RESPONSE: (d) => isString(d.content),
  AGENT_ERROR: (d) => isString(d.code) && isString(d.message),
  AGENT_INTERRUPT: (d) =>
    isString(d.id) && isString(d.kind) && isString(d.tool) && isString(d.reason) && isPlainObject(d.args),
  SUGGESTIONS: (d) => Array.isArray(d.items) && d.items.every(isString),
  AGENT_END: () => true,
};

export function isAgentEventName(name: string): name is AgentEventName {
  return Object.hasOwn(VALID, name);
}

/**
 * One SSE message as a checked Wire 1 event; `undefined` for an event name Wire 1 does not have
 * (a newer agent's: skipped, not fatal). Throws MalformedUpstreamError for a known event that is
 * not what its type says, and AgentRuntimeError for the runtime's own `error` event.
 */
export function readAgentEvent({ event, data }: SseMessage): AgentEvent | undefined {
  if (!isAgentEventName(event)) {
    if (event === 'error') throw new AgentRuntimeError('The agent runtime reported an error mid-stream');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedUpstreamError(`Upstream ${event} event is not JSON`);
  }
  if (!isPlainObject(parsed)) throw new MalformedUpstreamError(`Upstream ${event} event is not an object`);
  if (!VALID[event](parsed as Record<string, unknown>)) {
    throw new MalformedUpstreamError(`Upstream ${event} event lacks a field its type requires`);
  }
  return { event, data: parsed } as AgentEvent;
}

const NO_EVENTS: { events: AgentEvent[] } = Object.freeze({ events: Object.freeze([]) as unknown as AgentEvent[] });

/**
 * The checked Wire 1 events among `messages`, up to the first malformed one (whose error comes
 * with them): the events before it arrived intact and can still be used.
 */
export function readAgentEvents(messages: readonly SseMessage[]): { events: AgentEvent[]; error?: unknown } {
  if (messages.length === 0) return NO_EVENTS;
  const events: AgentEvent[] = [];
  for (const message of messages) {
    try {
      const event = readAgentEvent(message);
      if (event) events.push(event);
    } catch (error) {
      return { events, error };
    }
  }
  return { events };
}
