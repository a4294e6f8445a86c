import { fetchEventSource } from '@microsoft/fetch-event-source';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS, type HistoryTurn } from '../../protocol/agent-request.ts';
import { WIDGET_ERRORS, type WidgetErrorCode, retryableStatus } from '../../protocol/chat-errors.ts';
import { type ChatEvent, type ErrorBody, readChatEvent } from '../../protocol/chat-events.ts';
import { type Entry, entryText } from './transcript.ts';

/**
 * Why a send failed. `message` is the chat service's own explanation when it gave one, and empty
 * when the widget describes the `code` itself (in the page's language, from its `strings`).
 */
export class ChatStreamError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'ChatStreamError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** An error the widget raises itself, retryable or not as protocol/chat-errors.ts says. */
export const widgetError = (code: WidgetErrorCode) => new ChatStreamError(code, '', WIDGET_ERRORS[code].retryable);

/** One run as the element asks for it, whatever the wire. */
export interface ChatRunRequest {
  endpoint: string;
  message: string;
  sessionId: string;
  /** The conversation as it shows, oldest first, ending with the user's message being sent. */
  history: readonly Entry[];
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Each event as it arrives, as Wire 2 (a transport for another wire maps to it). */
  onEvent: (event: ChatEvent) => void;
}

/**
 * The seam between the element and a wire: runs one message, delivering Wire 2 events, and
 * resolves when the run is over (or `signal` stopped it); fails with a ChatStreamError.
 */
export type ChatTransport = (request: ChatRunRequest) => Promise<void>;

async function errorFromResponse(response: Response): Promise<ChatStreamError> {
  const retryable = retryableStatus(response.status);
  try {
    const { error } = (await response.json()) as ErrorBody;
    if (error?.message) return new ChatStreamError(error.code, error.message, retryable);
  } catch {
    // Not our JSON error body (a proxy's HTML page, say): the status is all there is.
  }
  return new ChatStreamError(`http_${response.status}`, '', retryable);
}

/**
 * POSTs `body` as JSON and hands each SSE message that carries data to `onMessage` (which throws a
 * ChatStreamError for one it cannot read, and returns true for the run's last), until the last.
 * One call is exactly one POST: fetch-event-source would otherwise retry on its own after an error
 * (`onerror` must throw) or abort and re-POST whenever the tab is hidden and shown again
 * (`openWhenHidden: true`), which would send the user's message twice.
 */
export async function postStream(
  { endpoint, signal, headers }: ChatRunRequest,
  body: unknown,
  onMessage: (event: string, data: string) => boolean | undefined,
): Promise<void> {
  let finished = false;
  await fetchEventSource(endpoint, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
    openWhenHidden: true,
    async onopen(response) {
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) throw widgetError('bad_content_type');
    },
    onmessage({ event, data }) {
      // Heartbeats and empty events carry nothing; nothing counts after the last event.
      if (data && !finished) finished = !!onMessage(event, data);
    },
    onclose() {
      if (!finished) throw widgetError('stream_cut');
    },
    onerror(error) {
      // Rethrowing stops fetch-event-source from retrying (and re-POSTing) by itself.
      throw error instanceof ChatStreamError ? error : widgetError('network');
    },
  });
}

/**
 * The newest of `items` that fit HISTORY_MAX_MESSAGES (besides the last `keep`) and
 * HISTORY_MAX_TOTAL_CHARS, counted by `size`; the last `keep` always go.
 */
export function newest<T>(items: readonly T[], size: (item: T) => number, keep = 0): T[] {
  let chars = 0;
  let from = items.length;
  while (from > 0 && items.length - from < HISTORY_MAX_MESSAGES + keep) {
    chars += size(items[from - 1]!);
    if (chars > HISTORY_MAX_TOTAL_CHARS && from <= items.length - keep) break;
    from--;
  }
  return items.slice(from);
}

/** The conversation before the message being sent, as Wire 2's `history`: each turn's text, the newest within bounds. */
export function historyTurns(entries: readonly Entry[]): HistoryTurn[] {
  const turns = entries.slice(0, -1).flatMap((entry): HistoryTurn[] => {
    const content = entryText(entry);
    return content ? [{ role: entry.role, content }] : [];
  });
  return newest(turns, (turn) => turn.content.length);
}

/** Wire 2: POSTs one message (with the conversation before it) and delivers each event, checked, as it arrives. */
export const streamChat: ChatTransport = (request) => {
  const history = historyTurns(request.history);
  const body = { message: request.message, session_id: request.sessionId, ...(history.length && { history }) };
  return postStream(request, body, (event, data) => {
    const checked = readChatEvent(event, data);
    if (checked === null) throw widgetError('bad_event');
    // undefined: an event this widget does not know (a newer BFF's).
    if (checked) request.onEvent(checked);
    return checked?.event === 'done';
  });
};
