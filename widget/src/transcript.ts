import type { ChatEvent } from '../../protocol/chat-events.ts';
import type { RunPosition } from './chat-stream.ts';
import { MarkdownSource } from './markdown/source.ts';
import { isPlainObject } from '../../protocol/json.ts';

export interface ToolCall {
  kind: 'tool';
  id: string;
  tool: string;
  args: Record<string, unknown>;
  /**
   * `waiting`: the run paused on this call, for the user's approval or for the page to run it;
   * `cancelled`: the run stopped before the tool answered.
   */
  status: 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';
  result?: string;
  error?: string;
  /** The call needs the user's approval (`approval_request`): the question, and once given the answer and its note. */
  reason?: string;
  approved?: boolean;
  note?: string;
  /** The call runs in the page (`page_tool_request`), with one of the element's `tools`. */
  page?: boolean;
}

export type Rating = 'up' | 'down';

export interface TextPart {
  kind: 'text';
  /** The markdown as it streams in; stored as its text. */
  source: MarkdownSource;
}

export interface UserEntry {
  role: 'user';
  id: string;
  text: string;
}

export interface TurnError {
  code: string;
  /** The server's words; empty when the widget describes the error itself (from `strings`). */
  message: string;
  retryable: boolean;
}

export interface AssistantEntry {
  role: 'assistant';
  id: string;
  /** Text and tool calls in the order they happened. */
  parts: Array<TextPart | ToolCall>;
  /** `interrupted`: the run paused on calls that wait for the user or the page. */
  status: 'thinking' | 'streaming' | 'complete' | 'error' | 'cancelled' | 'interrupted';
  error?: TurnError;
  /** Follow-up questions the agent suggested (shown under the last answer). */
  suggestions?: string[];
  /** The user's rating of the answer. */
  feedback?: { rating: Rating; comment?: string };
  /** The run answering it, and the last event taken: a page loaded mid-answer reads on from there. */
  run?: RunPosition;
  /** The stream dropped and is being picked up again (not stored). */
  reconnecting?: boolean;
}

export type Entry = UserEntry | AssistantEntry;

export const isActive = (turn: AssistantEntry) => turn.status === 'thinking' || turn.status === 'streaming';

/** The tool call `id`, in the newest turn that has it. */
export const findCall = (entries: readonly Entry[], id: string) =>
  entries
    .flatMap((entry) => (entry.role === 'assistant' ? entry.parts : []))
    .findLast((part): part is ToolCall => part.kind === 'tool' && part.id === id);

/**
 * Applies one Wire 2 event to the assistant's turn, in place. Tokens grow the open text part;
 * `message` sets its final text; tool results and pauses find their call by `id`, in `entries` (a
 * new message's run closes the calls an earlier turn left waiting). Returns whether the turn
 * changed shape (a part, a status) — a token that only grows existing text does not, so the
 * element re-renders nothing and only that text's view updates.
 */
export function applyEvent(
  turn: AssistantEntry,
  { event, data }: ChatEvent,
  entries: readonly Entry[] = [turn],
): boolean {
  const last = turn.parts.at(-1);
  const wasThinking = turn.status === 'thinking';
  switch (event) {
    case 'token':
    case 'message': {
      const text = event === 'token' ? data.delta : data.content;
      if (!text) return false;
      turn.status = 'streaming';
      if (last?.kind !== 'text') {
        turn.parts.push({ kind: 'text', source: new MarkdownSource(text) });
        return true;
      }
      if (event === 'token') last.source.append(text);
      else last.source.replace(text);
      return wasThinking;
    }
    case 'tool_start':
      turn.status = 'streaming';
      turn.parts.push({ kind: 'tool', id: data.id, tool: data.tool, args: data.args, status: 'running' });
      return true;
    case 'tool_end':
    case 'approval_request':
    case 'page_tool_request': {
      const call = findCall(entries, data.id);
      if (!call) return false;
      if (event === 'approval_request') Object.assign(call, { status: 'waiting', reason: data.reason });
      else if (event === 'page_tool_request') Object.assign(call, { status: 'waiting', page: true });
      else if ('error' in data) Object.assign(call, { status: 'failed', error: data.error });
      else Object.assign(call, { status: 'done', result: data.result });
      return true;
    }
    case 'suggestions':
      turn.suggestions = data.items;
      return true;
    case 'error':
      endTurn(turn, 'error', data);
      return true;
    case 'done':
      if (turn.status !== 'error') endTurn(turn, data.status === 'complete' ? 'complete' : data.status);
      return true;
    default:
      return false;
  }
}

type EndStatus = 'complete' | 'error' | 'cancelled' | 'interrupted';

/**
 * Ends the turn: its text is complete (its last line parsed as closed), a tool still running will
 * not answer, nor will a call left waiting unless the turn is only paused (`interrupted`).
 */
export function endTurn(turn: AssistantEntry, status: EndStatus, error?: TurnError): void {
  turn.status = status;
  if (error) turn.error = error;
  for (const part of turn.parts) {
    if (part.kind === 'text') part.source.close();
    else if (part.status === 'running' || (part.status === 'waiting' && status !== 'interrupted'))
      part.status = 'cancelled';
  }
}

/** What a message says, as plain text, however broken it is. */
export function entryText(entry: Entry): string {
  try {
    if (entry.role === 'user') return String(entry.text);
    return entry.parts.flatMap((part) => (part.kind === 'text' ? [part.source.text] : [])).join('\n\n');
  } catch {
    return '';
  }
}

const TOOL_STATUSES: ReadonlyArray<ToolCall['status']> = ['running', 'waiting', 'done', 'failed', 'cancelled'];
const TURN_STATUSES: ReadonlyArray<AssistantEntry['status']> = [
  'thinking',
  'streaming',
  'complete',
  'error',
  'cancelled',
  'interrupted',
];
const optionalString = (value: unknown) => (value === undefined ? undefined : String(value));

/**
 * The transcript as stored (JSON) back into entries, taking from each only what it should hold:
 * storage is the page's, and anything may be in it. A turn that was still streaming when the page
 * went away stays so if its run is known (the element reads on), and is shown as stopped if not.
 * Throws if it is not a list; an entry that is not one is left out.
 */
export function restoreEntries(stored: unknown): Entry[] {
  if (!Array.isArray(stored)) throw new TypeError('not a transcript');
  return stored.filter(isPlainObject).map((entry, i): Entry => {
    const id = String(entry.id ?? `restored-${i}`);
    if (entry.role === 'user') return { role: 'user', id, text: String(entry.text ?? '') };
    const parts = (Array.isArray(entry.parts) ? entry.parts : [])
      .filter(isPlainObject)
      .map((part): TextPart | ToolCall => {
        if (part.kind === 'text') return { kind: 'text', source: new MarkdownSource(String(part.source ?? '')) };
        const page = part.page === true;
        const status = TOOL_STATUSES.find((s) => s === part.status) ?? 'cancelled';
        return {
          kind: 'tool',
          id: String(part.id),
          tool: String(part.tool),
          args: isPlainObject(part.args) ? part.args : {},
          // A page tool's handler ran in the page that went away: it will not answer now.
          status: page && status === 'waiting' ? 'cancelled' : status,
          result: optionalString(part.result),
          error: optionalString(part.error),
          page,
          reason: optionalString(part.reason),
          approved: typeof part.approved === 'boolean' ? part.approved : undefined,
          note: optionalString(part.note),
        };
      });
    const error = isPlainObject(entry.error)
      ? {
          code: String(entry.error.code),
          message: String(entry.error.message ?? ''),
          retryable: entry.error.retryable === true,
        }
      : undefined;
    const run = isPlainObject(entry.run) ? entry.run : {};
    const turn: AssistantEntry = {
      role: 'assistant',
      id,
      parts,
      status: TURN_STATUSES.find((s) => s === entry.status) ?? 'complete',
      error,
      run: {
        id: typeof run.id === 'string' ? run.id : '',
        seq: Number.isSafeInteger(run.seq) ? (run.seq as number) : 0,
      },
    };
    if (!isActive(turn) || !turn.run!.id)
      endTurn(turn, isActive(turn) ? 'cancelled' : (turn.status as EndStatus), error);
    return turn;
  });
}
