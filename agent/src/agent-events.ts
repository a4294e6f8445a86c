import { AIMessageChunk, type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { readWire1Request } from './agent-input.ts';
import type { PauseRequest } from './approvals.ts';
import { describeError } from './errors.ts';
import { type AgentGraph, agentToolNames } from './graph.ts';
import { holdSession, planRun } from './pause.ts';

export interface RunInput {
  /** The user's message; missing or blank (without `resume`) is reported as a `bad_request` AGENT_ERROR. */
  prompt: string | undefined;
  /** The AgentCore runtime session id: the conversation's memory is kept under it. */
  sessionId: string;
  /** The conversation as the client shows it, used only when the session has no memory (see history.ts). */
  history?: BaseMessage[];
  /** The answer to a call the session's paused run waits on (`AgentRequest.resume`), unchecked. */
  resume?: unknown;
  /** The request's page tools (`AgentRequest.tools`), unchecked. */
  tools?: unknown;
  /** Aborted when the caller goes away: the graph run and the model call stop with it. */
  signal?: AbortSignal;
  /** Where a failure's details go (the runtime's log): callers only get a code and a plain message. */
  logError?: (error: unknown) => void;
}

/** A request the run cannot start from; its message says why, for the caller. */
class BadRequest extends Error {}

/** The nodes whose updates become events: `memory` only rewrites history the caller already saw. */
const REPORTED_NODES = new Set(['chatbot', 'tools']);

const now = () => new Date().toISOString();

/** ToolNode reports a thrown error as "Error: <message>\n Please fix your mistakes." */
export function toolError(content: string): string {
  return content.replace(/^Error: /, '').replace(/\n Please fix your mistakes\.$/, '');
}

/** Wire 1 events for one node's state update: tool calls and text from `chatbot`, results from `tools`. */
function* updateEvents(messages: BaseMessage[]): Generator<AgentEvent> {
  for (const message of messages) {
    if (isAIMessage(message)) {
      const content = message.text;
      if (content) yield { event: 'LLM_RESPONSE', data: { timestamp: now(), content } };
      for (const call of message.tool_calls ?? []) {
        yield { event: 'TOOL_CALL', data: { timestamp: now(), id: call.id ?? '', tool: call.name, args: call.args } };
      }
    } else if (isToolMessage(message)) {
      const base = { timestamp: now(), id: message.tool_call_id, tool: message.name ?? '' };
      yield message.status === 'error'
        ? { event: 'TOOL_RESULT', data: { ...base, error: toolError(message.text) } }
        : { event: 'TOOL_RESULT', data: { ...base, result: message.text } };
    }
  }
}

/**
 * Runs the graph on one prompt, or resumes its paused run, and yields Wire 1 events as they happen:
 * token deltas from the `messages` stream, tool calls, results and finished text from the `updates`
 * stream, one AGENT_INTERRUPT per call a pause waits on, and the answer's SUGGESTIONS.
 * It never throws: a failure becomes AGENT_ERROR, and AGENT_END always comes last.
 */
export async function* runAgent(
  graph: AgentGraph,
  { sessionId, signal, logError, ...body }: RunInput,
): AsyncGenerator<AgentEvent> {
  yield { event: 'AGENT_START', data: { timestamp: now(), session_id: sessionId } };
  let output = '';
  const release = holdSession(graph, sessionId);
  try {
    const request = readWire1Request(body, agentToolNames(graph));
    const plan = request.ok ? await planRun(graph, sessionId, request.value) : request;
    if (!plan.ok) throw new BadRequest(plan.message);
    yield* updateEvents(plan.settled);
    const stream = await graph.stream(plan.input, { ...plan.config, streamMode: ['messages', 'updates'], signal });
    let suggestions: string[] = [];
    let paused = false;
    for await (const [mode, chunk] of stream) {
      if (mode === 'messages') {
        const [message, metadata] = chunk;
        if (metadata.langgraph_node === 'chatbot' && AIMessageChunk.isInstance(message) && message.text) {
          yield { event: 'LLM_TOKEN', data: { timestamp: now(), delta: message.text } };
        }
        continue;
      }
      for (const [node, update] of Object.entries(chunk)) {
        if (node === '__interrupt__') {
          paused = true;
          for (const { value } of update as Array<{ value: PauseRequest }>) {
            for (const item of value.items) yield { event: 'AGENT_INTERRUPT', data: { timestamp: now(), ...item } };
          }
          continue;
        }
        if (!REPORTED_NODES.has(node)) continue;
        const { messages = [], suggestions: suggested } = (update ?? {}) as {
          messages?: BaseMessage[];
          suggestions?: string[];
        };
        if (node === 'chatbot') suggestions = suggested ?? [];
        for (const e of updateEvents(messages)) {
          if (e.event === 'LLM_RESPONSE') output = e.data.content;
          yield e;
        }
      }
    }
    if (!paused && suggestions.length > 0)
      yield { event: 'SUGGESTIONS', data: { timestamp: now(), items: suggestions } };
  } catch (error) {
    const failed =
      error instanceof BadRequest
        ? { code: 'bad_request' as const, message: error.message }
        : describeError(error, signal);
    if (failed.code !== 'cancelled' && failed.code !== 'bad_request') logError?.(error);
    yield { event: 'AGENT_ERROR', data: { timestamp: now(), ...failed } };
  } finally {
    release();
  }
  yield { event: 'AGENT_END', data: { timestamp: now(), output } };
}
