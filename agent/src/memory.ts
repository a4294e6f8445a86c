import { type BaseMessage, HumanMessage, ToolMessage, isAIMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, type CheckpointMetadata, MemorySaver } from '@langchain/langgraph';

/**
 * Conversation memory, kept per runtime session and bounded twice over: the history is trimmed to
 * a token budget (oldest turns first), and the checkpointer keeps only each session's latest state
 * for a limited number of sessions. So neither a long session nor many sessions grow without limit.
 */

/** Said in place of a tool result when a run stopped (cancelled, failed, out of steps) before the tool ran. */
export const TOOL_NOT_RUN = 'Not run: the previous answer was stopped before this tool ran.';

/** A rough token count (about 4 characters a token), enough to bound memory without a tokenizer. */
export function approximateTokens(message: BaseMessage): number {
  const calls = isAIMessage(message) && message.tool_calls?.length ? JSON.stringify(message.tool_calls).length : 0;
  const text = typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content).length;
  return Math.ceil((text + calls) / 4) + 4;
}

/**
 * Gives every tool call an answer: a run that stopped between the model asking for tools and the
 * tools answering leaves calls without results, which models refuse on the next turn.
 */
function closeToolCalls(messages: BaseMessage[]): BaseMessage[] {
  const out: BaseMessage[] = [];
  const answered = new Set(messages.filter(ToolMessage.isInstance).map((m) => m.tool_call_id));
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    out.push(message);
    if (!isAIMessage(message) || !message.tool_calls?.length) continue;
    // Results follow their call; the missing ones are added after the ones that are there.
    while (messages[i + 1] && ToolMessage.isInstance(messages[i + 1])) out.push(messages[++i]!);
    for (const call of message.tool_calls) {
      if (call.id && !answered.has(call.id)) {
        out.push(new ToolMessage({ tool_call_id: call.id, name: call.name, status: 'error', content: TOOL_NOT_RUN }));
      }
    }
  }
  return out;
}

/**
 * The history to keep: every tool call answered, then whole turns (a human message and all that
 * followed it) from the newest back, as many as fit in `maxTokens`. The newest turn is always
 * kept, and trimming only ever cuts before a human message, so call/result pairs stay together.
 */
export function boundHistory(messages: BaseMessage[], maxTokens: number): BaseMessage[] {
  const closed = closeToolCalls(messages);
  let start = closed.length;
  let tokens = 0;
  for (let i = closed.length - 1; i >= 0; i--) {
    tokens += approximateTokens(closed[i]!);
    if (!HumanMessage.isInstance(closed[i]!)) continue;
    if (tokens > maxTokens && start < closed.length) break;
    start = i;
  }
  return closed.slice(start);
}

/**
 * A MemorySaver that keeps only the latest checkpoint of each session (the graph never goes back
 * in time here) and at most `maxSessions` sessions, forgetting the least recently used.
 */
export class BoundedMemorySaver extends MemorySaver {
  readonly maxSessions: number;
  /** Session ids, least recently used first (a Set iterates in insertion order). */
  private readonly recent = new Set<string>();

  constructor(maxSessions: number) {
    super();
    this.maxSessions = maxSessions;
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    const saved = await super.put(config, checkpoint, metadata);
    const threadId = String(saved.configurable!.thread_id);
    const namespace = String(saved.configurable!.checkpoint_ns ?? '');
    const checkpoints = this.storage[threadId]![namespace]!;
    // Checkpoint ids sort in time order; the newest is the one LangGraph reads next.
    const latest = Object.keys(checkpoints).sort().at(-1)!;
    for (const id of Object.keys(checkpoints)) {
      if (id === latest) continue;
      delete checkpoints[id];
      // MemorySaver keys pending writes by JSON.stringify([thread, namespace, checkpoint]).
      delete this.writes[JSON.stringify([threadId, namespace, id])];
    }
    this.recent.delete(threadId);
    this.recent.add(threadId);
    for (const oldest of this.recent) {
      if (this.recent.size <= this.maxSessions) break;
      await this.deleteThread(oldest);
    }
    return saved;
  }

  override async deleteThread(threadId: string): Promise<void> {
    this.recent.delete(threadId);
    await super.deleteThread(threadId);
  }
}
