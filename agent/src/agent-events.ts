import { AIMessageChunk, HumanMessage, type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import type { AgentGraph } from './graph.ts';

export interface RunInput {
  /** The user's message; missing or blank is reported as a `bad_request` AGENT_ERROR. */
  prompt: string | undefined;
  /** The AgentCore runtime session id: the conversation's memory is kept under it. */
  sessionId: string;
  /** Aborted when the caller goes away: the graph run and the model call stop with it. */
  signal?: AbortSignal;
}

const now = () => new Date().toISOString();

/** ToolNode reports a thrown error as "Error: <message>\n Please fix your mistakes." */
function toolError(content: string): string {
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
export async function* runAgent(graph: AgentGraph, { prompt, sessionId, signal }: RunInput): AsyncGenerator<AgentEvent> {
  yield { event: 'AGENT_START', data: { timestamp: now(), session_id: sessionId } };
  let output = '';
  if (!prompt?.trim()) {
    const message = 'The request needs a non-empty "prompt" string.';
    yield { event: 'AGENT_ERROR', data: { timestamp: now(), code: 'bad_request', message } };
    yield { event: 'AGENT_END', data: { timestamp: now(), output } };
    return;
  }
  try {
    const stream = await graph.stream(
      { messages: [new HumanMessage(prompt)] },
      { configurable: { thread_id: sessionId }, streamMode: ['messages', 'updates'], signal },
    );
    for await (const [mode, chunk] of stream) {
      if (mode === 'messages') {
        const [message, metadata] = chunk;
        if (metadata.langgraph_node === 'chatbot' && AIMessageChunk.isInstance(message) && message.text) {
          yield { event: 'LLM_TOKEN', data: { timestamp: now(), delta: message.text } };
        }
      } else {
        for (const update of Object.values(chunk)) {
          const messages: BaseMessage[] = (update as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
          for (const e of updateEvents(messages)) {
            if (e.event === 'LLM_RESPONSE') output = e.data.content;
            yield e;
          }
        }
      }
    }
  } catch (error) {
    yield { event: 'AGENT_ERROR', data: { timestamp: now(), ...describeError(error, signal) } };
  }
  yield { event: 'AGENT_END', data: { timestamp: now(), output } };
}

/** A failure in words fit for a caller: a code to act on and a message with no stack or secrets. */
export function describeError(error: unknown, signal?: AbortSignal): { code: string; message: string } {
  if (signal?.aborted) return { code: 'cancelled', message: 'The run was cancelled.' };
  const name = error instanceof Error ? error.name : '';
  if (name === 'GraphRecursionError') {
    return { code: 'step_limit', message: 'The agent took too many steps without finishing and was stopped.' };
  }
  if (/Throttl/i.test(name)) return { code: 'model_throttled', message: 'The model is busy right now. Try again shortly.' };
  if (/AccessDenied|Unrecognized|Credentials/i.test(name)) {
    return { code: 'model_access_denied', message: 'The agent is not allowed to use its model.' };
  }
  return { code: 'agent_error', message: 'The agent failed while answering.' };
}
