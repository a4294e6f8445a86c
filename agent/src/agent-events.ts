import { AIMessageChunk, type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { describeError, failure } from './errors.ts';
import type { AgentGraph } from './graph.ts';
import { turnMessages } from './history.ts';

export interface RunInput {
  /** The user's message; missing or blank is reported as a `bad_request` AGENT_ERROR. */
  prompt: string | undefined;
  /** The AgentCore runtime session id: the conversation's memory is kept under it. */
  sessionId: string;
  /** The conversation as the client shows it, used only when the session has no memory (see history.ts). */
  history?: BaseMessage[];
  /** Aborted when the caller goes away: the graph run and the model call stop with it. */
  signal?: AbortSignal;
  /** Where a failure's details go (the runtime's log): callers only get a code and a plain message. */
  logError?: (error: unknown) => void;
}

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
 * Runs the graph on one prompt and yields Wire 1 events as they happen: token deltas from the
 * `messages` stream, tool calls, results and finished text from the `updates` stream.
 * It never throws: a failure becomes AGENT_ERROR, and AGENT_END always comes last.
 */
export async function* runAgent(graph: AgentGraph, { prompt, sessionId, history, signal, logError }: RunInput): AsyncGenerator<AgentEvent> {
  yield { event: 'AGENT_START', data: { timestamp: now(), session_id: sessionId } };
  let output = '';
  if (!prompt?.trim()) {
    yield { event: 'AGENT_ERROR', data: { timestamp: now(), ...failure('bad_request') } };
    yield { event: 'AGENT_END', data: { timestamp: now(), output } };
    return;
  }
  try {
    const stream = await graph.stream(
      { messages: await turnMessages(graph, sessionId, prompt, history) },
      { configurable: { thread_id: sessionId }, streamMode: ['messages', 'updates'], signal },
    );
    for await (const [mode, chunk] of stream) {
      if (mode === 'messages') {
        const [message, metadata] = chunk;
        if (metadata.langgraph_node === 'chatbot' && AIMessageChunk.isInstance(message) && message.text) {
          yield { event: 'LLM_TOKEN', data: { timestamp: now(), delta: message.text } };
        }
      } else {
        for (const [node, update] of Object.entries(chunk)) {
          if (!REPORTED_NODES.has(node)) continue;
          const messages: BaseMessage[] = (update as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
          for (const e of updateEvents(messages)) {
            if (e.event === 'LLM_RESPONSE') output = e.data.content;
            yield e;
          }
        }
      }
    }
  } catch (error) {
    const failed = describeError(error, signal);
    if (failed.code !== 'cancelled') logError?.(error);
    yield { event: 'AGENT_ERROR', data: { timestamp: now(), ...failed } };
  }
  yield { event: 'AGENT_END', data: { timestamp: now(), output } };
}
