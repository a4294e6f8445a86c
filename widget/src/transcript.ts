import type { ChatEvent } from '../../protocol/chat-events.ts';

export interface ToolCall {
  kind: 'tool';
  id: string;
  tool: string;
  args: Record<string, unknown>;
  status: 'running' | 'done' | 'failed';
  result?: string;
  error?: string;
}

export interface TextPart {
  kind: 'text';
  text: string;
}

export interface UserEntry {
  role: 'user';
  id: string;
  text: string;
}

export interface AssistantEntry {
  role: 'assistant';
  id: string;
  /** Text and tool calls in the order they happened. */
  parts: Array<TextPart | ToolCall>;
  status: 'thinking' | 'streaming' | 'complete' | 'error' | 'cancelled';
  error?: { code: string; message: string; retryable: boolean };
}

export type Entry = UserEntry | AssistantEntry;

/**
 * Applies one Wire 2 event to the assistant's turn, in place. Tokens grow the open text part;
 * `message` replaces it with the finished text; tool results find their call by `id`.
 */
export function applyEvent(turn: AssistantEntry, { event, data }: ChatEvent): void {
  const last = turn.parts.at(-1);
  switch (event) {
    case 'token':
      turn.status = 'streaming';
      if (last?.kind === 'text') last.text += data.delta;
      else turn.parts.push({ kind: 'text', text: data.delta });
      break;
    case 'message':
      turn.status = 'streaming';
      if (last?.kind === 'text') last.text = data.content;
      else turn.parts.push({ kind: 'text', text: data.content });
      break;
    case 'tool_start':
      turn.status = 'streaming';
      turn.parts.push({ kind: 'tool', id: data.id, tool: data.tool, args: data.args, status: 'running' });
      break;
    case 'tool_end': {
      const call = turn.parts.find((p): p is ToolCall => p.kind === 'tool' && p.id === data.id);
      if (!call) break;
      if ('error' in data) Object.assign(call, { status: 'failed', error: data.error });
      else Object.assign(call, { status: 'done', result: data.result });
      break;
    }
    case 'error':
      turn.status = 'error';
      turn.error = data;
      break;
    case 'done':
      if (turn.status !== 'error') turn.status = data.status === 'complete' ? 'complete' : data.status;
      break;
    default:
      break;
  }
}
