import { fetchEventSource } from '@microsoft/fetch-event-source';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS, type HistoryTurn } from '../../protocol/agent-request.ts';
import { WIDGET_ERRORS, type WidgetErrorCode, retryableStatus } from '../../protocol/chat-errors.ts';
import {
  type ChatEvent,
  type ErrorBody,
  type PageTool,
  type ResumeAnswer,
  readChatEvent,
} from '../../protocol/chat-events.ts';
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

/** Where a run is: its id (from `start`) and the last event taken. Kept with the transcript. */
export interface RunPosition {
  id: string;
  seq: number;
}

/** One run as the element asks for it, whatever the wire. */
export interface ChatRunRequest {
  endpoint: string;
  /** A new message, or (instead) `resume`: the answer to a call the paused run waits on. */
  message?: string;
  resume?: ResumeAnswer;
  /** The page's tools, the same list with every request of the conversation. */
  tools?: PageTool[];
  sessionId: string;
  /** The conversation as it shows, oldest first: up to the user's message being sent, or (a resume) the paused answer. */
  history: readonly Entry[];
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Each event as it arrives, as Wire 2 (a transport for another wire maps to it). */
  onEvent: (event: ChatEvent) => void;
  /**
   * The run's position, kept up to date as events arrive. With an id already (a page that loaded
   * while its answer streamed), the transport re-attaches to that run instead of sending `message`.
   */
  run: RunPosition;
  /** The stream dropped and is being re-attached (true), or flows again (false). */
  onReconnecting?: (reconnecting: boolean) => void;
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
 * A run's endpoint beside its wire's endpoint: `runs` is where the BFF's runs are from there
 * (CHAT_RUNS beside `…/v1/chat/stream`, `chat/runs/` beside `…/v1/agui`): `…/v1/chat/runs/{id}/events`
 * or `…/cancel`.
 */
const runUrl = (endpoint: string, runs: string, id: string, what: 'events' | 'cancel') =>
  new URL(`${runs}${id}/${what}`, new URL(endpoint, location.href));

/** Where the BFF's runs are, from `…/v1/chat/stream`. */
export const CHAT_RUNS = 'runs/';

/** Waits between attempts to re-attach: about 23 s in all, inside the BFF's default 30 s RESUME_GRACE_MS. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 8000];

/**
 * POSTs `body` as JSON and hands each SSE message that carries data to `onMessage` (which throws a
 * ChatStreamError for one it cannot read, and returns true for the run's last), until the last.
 * One call is exactly one POST: fetch-event-source would otherwise retry on its own after an error
 * (`onerror` must throw) or abort and re-POST whenever the tab is hidden and shown again
 * (`openWhenHidden: true`), which would send the user's message twice. A stream that drops once its
 * run has an id (`onMessage` sets `request.run.id`) is not an error yet: the run goes on at the BFF,
 * and the transport re-attaches to it (GET `runs` with `Last-Event-ID`, with backoff), taking each
 * event once whatever the BFF sends again. It fails when the attempts run out, or at once on a
 * refusal that waiting will not change (404: the run is gone, `run_not_found`).
 */
export async function postStream(
  request: ChatRunRequest,
  body: unknown,
  runs: string,
  onMessage: (event: string, data: string, id: string) => boolean | undefined,
): Promise<void> {
  const { run, signal, onReconnecting } = request;
  for (let attempt = 0; ; ) {
    try {
      let finished = false;
      await fetchEventSource(run.id ? runUrl(request.endpoint, runs, run.id, 'events').href : request.endpoint, {
        method: run.id ? 'GET' : 'POST',
        headers: {
          ...request.headers,
          accept: 'text/event-stream',
          ...(run.id
            ? run.seq
              ? { 'last-event-id': `${run.id}:${run.seq}` }
              : {}
            : { 'content-type': 'application/json' }),
        },
        body: run.id ? undefined : JSON.stringify(body),
        signal,
        openWhenHidden: true,
        async onopen(response) {
          if (!response.ok) throw await errorFromResponse(response);
          if (!response.headers.get('content-type')?.startsWith('text/event-stream'))
            throw widgetError('bad_content_type');
          onReconnecting?.(false);
        },
        onmessage({ id, event, data }) {
          // Heartbeats and empty events carry nothing; nothing counts after the last event.
          if (!data || finished) return;
          const seq = +id.slice(id.lastIndexOf(':') + 1) || run.seq + 1;
          if (seq <= run.seq) return; // taken already
          try {
            finished = !!onMessage(event, data, id);
          } catch (error) {
            // An event whose fields are not what its type says: unreadable, not a network failure to retry.
            throw error instanceof ChatStreamError ? error : widgetError('bad_event');
          }
          run.seq = seq;
          attempt = 0;
        },
        onclose() {
          if (!finished) throw widgetError('stream_cut');
        },
        onerror(error) {
          // Rethrowing stops fetch-event-source from retrying (and re-POSTing) by itself.
          throw error instanceof ChatStreamError ? error : widgetError('network');
        },
      });
      return;
    } catch (error) {
      const e = error as ChatStreamError;
      if (!run.id || signal.aborted || attempt >= BACKOFF_MS.length || !e.retryable || e.code === 'bad_event') throw e;
      onReconnecting?.(true);
      await new Promise((resolve) => {
        setTimeout(resolve, BACKOFF_MS[attempt++]);
        signal.addEventListener('abort', resolve);
      });
      if (signal.aborted) return;
    }
  }
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

/**
 * Wire 2: POSTs one message (with the conversation before it) and delivers each event, checked, as
 * it arrives; `start` names the run, which a dropped stream reads on from.
 */
export const streamChat: ChatTransport = (request) => {
  // A resume goes on from the agent's memory of the pause: the history would not be read.
  const history = request.resume ? [] : historyTurns(request.history);
  const { message, resume, tools } = request;
  const body = { message, resume, session_id: request.sessionId, tools, ...(history.length && { history }) };
  return postStream(request, body, CHAT_RUNS, (event, data) => {
    const checked = readChatEvent(event, data);
    if (checked === null) throw widgetError('bad_event');
    // undefined: an event this widget does not know (a newer BFF's).
    if (!checked) return;
    if (checked.event === 'start') request.run.id = checked.data.run_id ?? '';
    request.onEvent(checked);
    return checked.event === 'done';
  });
};

/** Asks the BFF to stop a run, wherever it is relayed (the element stops reading at once, whatever the answer). */
export const cancelRun = (
  endpoint: string,
  runs: string,
  id: string,
  headers?: Record<string, string>,
): Promise<unknown> =>
  fetch(runUrl(endpoint, runs, id, 'cancel'), { method: 'POST', headers, keepalive: true }).catch(() => {});
