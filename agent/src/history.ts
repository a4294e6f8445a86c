import type { Message, ToolCall as AgUiToolCall } from '@ag-ui/core';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { textOf } from '../../protocol/ag-ui-input.ts';
import { HISTORY_MAX_CHARS, HISTORY_MAX_MESSAGES, TOOL_NAME_PATTERN } from '../../protocol/agent-request.ts';

/**
 * The conversation as a client shows it, turned into messages the graph can start from when the
 * agent has no memory of the session (see `turnMessages`). It is the user's own material and trusted
 * as nothing more:
 *
 * - only user and assistant text and the assistant's tool calls with their results are kept; system
 *   and developer messages (which would speak with the system prompt's authority), reasoning,
 *   activity and every non-text part (images, files) are dropped;
 * - tool calls are replayed as context and never run: a call whose name or id is not a plain
 *   identifier, whose arguments are not a small JSON object, or whose id was seen before is dropped;
 *   a result is kept only right after the call it answers (so a forged result cannot stand alone),
 *   and a call left unanswered gets memory's "not run" result;
 * - at most HISTORY_MAX_MESSAGES messages (the newest), each cut at HISTORY_MAX_CHARS, and then the
 *   memory budget, like any conversation.
 *
 * So a forged "assistant" or "tool" message can make the model believe it said or saw something,
 * which the user could equally claim by typing it; it cannot run a tool, reach another session, or
 * change what the agent is.
 */

/** Longest tool-call arguments kept, in JSON characters: our tools take a few short strings. */
const MAX_ARGUMENTS_CHARS = 2_000;

const clip = (text: string) => (text.length > HISTORY_MAX_CHARS ? text.slice(0, HISTORY_MAX_CHARS) : text);

/** A replayable tool call, or undefined. */
function toolCall({ id, function: fn }: AgUiToolCall, seen: Set<string>): ToolCall | undefined {
  // Call ids are held to the same pattern as tool names: what every provider accepts.
  if (
    !TOOL_NAME_PATTERN.test(id) ||
    !TOOL_NAME_PATTERN.test(fn.name) ||
    seen.has(id) ||
    fn.arguments.length > MAX_ARGUMENTS_CHARS
  )
    return undefined;
  let args: unknown;
  try {
    args = JSON.parse(fn.arguments || '{}');
  } catch {
    return undefined;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
  seen.add(id);
  return { id, name: fn.name, args: args as Record<string, unknown>, type: 'tool_call' };
}

/** An AG-UI conversation (RunAgentInput.messages without the new turn) as graph messages. */
export function historyFromMessages(messages: readonly Message[]): BaseMessage[] {
  const out: BaseMessage[] = [];
  const seenCalls = new Set<string>();
  /** The calls of the assistant message just before, still waiting for their results: id → tool name. */
  let awaiting = new Map<string, string>();
  for (const message of messages.slice(-HISTORY_MAX_MESSAGES)) {
    if (message.role === 'tool') {
      const name = awaiting.get(message.toolCallId);
      if (name === undefined) continue;
      awaiting.delete(message.toolCallId);
      // The agent's own results carry a failure as metadata.error (ToolResultMetadata); AG-UI clients as error.
      const error = message.error ?? (typeof message.metadata?.error === 'string' ? message.metadata.error : undefined);
      const content = clip(textOf(message.content) || error || '');
      out.push(
        new ToolMessage({ tool_call_id: message.toolCallId, name, content, status: error ? 'error' : 'success' }),
      );
      continue;
    }
    awaiting = new Map();
    if (message.role === 'user') {
      const text = clip(textOf(message.content));
      if (text.trim()) out.push(new HumanMessage(text));
    } else if (message.role === 'assistant') {
      const text = clip(message.content ?? '');
      const calls = (message.toolCalls ?? []).flatMap((call) => toolCall(call, seenCalls) ?? []);
      if (!text.trim() && calls.length === 0) continue;
      out.push(new AIMessage({ content: text, tool_calls: calls }));
      awaiting = new Map(calls.map((call) => [call.id!, call.name]));
    }
  }
  return out;
}

/** The seed wire's `history` (HistoryTurn[]); anything malformed in it is skipped, not fatal. */
export function historyFromTurns(history: unknown): BaseMessage[] {
  if (!Array.isArray(history)) return [];
  return history.slice(-HISTORY_MAX_MESSAGES).flatMap((turn: unknown): BaseMessage[] => {
    const { role, content } = (typeof turn === 'object' && turn !== null ? turn : {}) as {
      role?: unknown;
      content?: unknown;
    };
    if (typeof content !== 'string' || !content.trim()) return [];
    if (role === 'user') return [new HumanMessage(clip(content))];
    if (role === 'assistant') return [new AIMessage(clip(content))];
    return [];
  });
}

/**
 * The messages a run adds to the session's conversation: the new question, after the client's
 * history when the agent remembers nothing of the session. When it does remember, its own memory is
 * the conversation and the client's copy is ignored.
 */
export function turnMessages(
  prompt: string,
  history: BaseMessage[],
  remembered: readonly BaseMessage[],
): BaseMessage[] {
  const question = new HumanMessage(prompt);
  return remembered.length > 0 ? [question] : [...history, question];
}
