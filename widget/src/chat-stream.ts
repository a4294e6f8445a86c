import { fetchEventSource } from '@microsoft/fetch-event-source';
import { WIDGET_ERRORS, type WidgetErrorCode, retryableStatus } from '../../protocol/chat-errors.ts';
import {
  type ChatEvent,
  type ErrorBody,
  type PageTool,
  type ResumeAnswer,
  readChatEvent,
} from '../../protocol/chat-events.ts';

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

/** A run's endpoint beside the chat endpoint: `…/v1/chat/runs/{id}/events` or `…/cancel`. */
const runUrl = (endpoint: string, id: string, what: 'events' | 'cancel') =>
  new URL(`runs/${id}/${what}`, new URL(endpoint, location.href));

/** Waits between attempts to re-attach: about 23 s in all, inside the BFF's default 30 s RESUME_GRACE_MS. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 8000];

/**
 * Wire 2: POSTs one message and delivers each event, checked, as it arrives. One call is exactly
 * one POST: fetch-event-source would otherwise retry on its own after an error (`onerror` must
 * throw) or abort and re-POST whenever the tab is hidden and shown again (`openWhenHidden: true`),
 * which would send the user's message twice. A stream that drops once its run has an id is not an
 * error yet: the run goes on at the BFF, and the transport re-attaches to it (GET with
 * `Last-Event-ID`, with backoff), taking each event once whatever the BFF sends again. It fails
 * when the attempts run out, or at once on a refusal that waiting will not change (404: the run is
 * gone, `run_not_found`).
 */
export const streamChat: ChatTransport = async (request) => {
  const { run, signal, onReconnecting } = request;
  for (let attempt = 0; ; ) {
    try {
      let finished = false;
      await fetchEventSource(run.id ? runUrl(request.endpoint, run.id, 'events').href : request.endpoint, {
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
        body: run.id
          ? undefined
          : JSON.stringify({
              message: request.message,
              resume: request.resume,
              session_id: request.sessionId,
              tools: request.tools,
            }),
        signal,
        openWhenHidden: true,
        async onopen(response) {
          if (!response.ok) throw await errorFromResponse(response);
          if (!response.headers.get('content-type')?.startsWith('text/event-stream'))
            throw widgetError('bad_content_type');
          onReconnecting?.(false);
        },
        onmessage({ id, event, data }) {
          if (!data) return; // heartbeats and empty events carry nothing
          const seq = +id.slice(id.lastIndexOf(':') + 1) || run.seq + 1;
          if (seq <= run.seq) return; // taken already
          const checked = readChatEvent(event, data);
          if (checked === null) throw widgetError('bad_event');
          run.seq = seq;
          attempt = 0;
          if (!checked) return; // an event this widget does not know (a newer BFF's)
          if (checked.event === 'start') run.id = checked.data.run_id;
          if (checked.event === 'done') finished = true;
          request.onEvent(checked);
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
};

/** Asks the BFF to stop a run, wherever it is relayed (the element stops reading at once, whatever the answer). */
export const cancelRun = (endpoint: string, id: string, headers?: Record<string, string>): Promise<unknown> =>
  fetch(runUrl(endpoint, id, 'cancel'), { method: 'POST', headers, keepalive: true }).catch(() => {});
