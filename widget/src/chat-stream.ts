import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { ChatEvent, ErrorBody } from '../../protocol/chat-events.ts';

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

export interface StreamChatOptions {
  endpoint: string;
  message: string;
  sessionId: string;
  signal: AbortSignal;
  headers?: Record<string, string>;
  onEvent: (event: ChatEvent) => void;
}

async function errorFromResponse(response: Response): Promise<ChatStreamError> {
  const retryable = response.status === 429 || response.status >= 500;
  try {
    const { error } = (await response.json()) as ErrorBody;
    if (error?.message) return new ChatStreamError(error.code, error.message, retryable);
  } catch {
    // Not our JSON error body (a proxy's HTML page, say): the status is all there is.
  }
  return new ChatStreamError(`http_${response.status}`, '', retryable);
}

/**
 * POSTs one message and delivers each Wire 2 event as it arrives. One call is exactly one POST:
 * fetch-event-source would otherwise retry on its own after an error (`onerror` must throw) or
 * abort and re-POST whenever the tab is hidden and shown again (`openWhenHidden: true`), which
 * would send the user's message twice. Resolves when the stream ends or `signal` aborts it.
 */
export async function streamChat({ endpoint, message, sessionId, signal, headers, onEvent }: StreamChatOptions): Promise<void> {
  let finished = false;
  await fetchEventSource(endpoint, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message, session_id: sessionId }),
    signal,
    openWhenHidden: true,
    async onopen(response) {
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) throw new ChatStreamError('bad_content_type', '', false);
    },
    onmessage({ event, data }) {
      if (!data) return; // heartbeats and empty events carry nothing
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new ChatStreamError('bad_event', '', true);
      }
      if (event === 'done') finished = true;
      onEvent({ event, data: parsed } as ChatEvent);
    },
    onclose() {
      if (!finished) throw new ChatStreamError('stream_cut', '', true);
    },
    onerror(error) {
      // Rethrowing stops fetch-event-source from retrying (and re-POSTing) by itself.
      throw error instanceof ChatStreamError ? error : new ChatStreamError('network', '', true);
    },
  });
}
