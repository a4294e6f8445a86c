import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { ChatEvent, ErrorBody } from '../../protocol/chat-events.ts';

/** Why a send failed, in the words the transcript shows. */
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
  let message = `The chat service answered ${response.status}.`;
  let code = `http_${response.status}`;
  try {
    const body = (await response.json()) as ErrorBody;
    if (body?.error?.message) ({ message, code } = body.error);
  } catch {
    // Not our JSON error body (a proxy's HTML page, say): keep the status line.
  }
  return new ChatStreamError(code, message, response.status === 429 || response.status >= 500);
}

/**
 * POSTs one message and delivers each Wire 2 event as it arrives. One call is exactly one POST:
 * fetch-event-source would otherwise retry on its own after an error or reopen when the tab
 * becomes visible again, which would send the user's message twice.
 */
export async function streamChat({ endpoint, message, sessionId, signal, headers, onEvent }: StreamChatOptions): Promise<void> {
  let finished = false;
  await fetchEventSource(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ message, session_id: sessionId }),
    signal,
    openWhenHidden: true,
    async onopen(response) {
      if (!response.ok) throw await errorFromResponse(response);
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
        throw new ChatStreamError('bad_content_type', 'The chat service did not answer with a stream.', false);
      }
    },
    onmessage({ event, data }) {
      if (!data) return; // heartbeats and empty events carry nothing
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new ChatStreamError('bad_event', 'The chat service sent something unreadable.', true);
      }
      if (event === 'done') finished = true;
      onEvent({ event, data: parsed } as ChatEvent);
    },
    onclose() {
      if (!finished) throw new ChatStreamError('stream_cut', 'The connection closed before the answer was complete.', true);
    },
    onerror(error) {
      // Rethrowing stops fetch-event-source from retrying (and re-POSTing) by itself.
      if (error instanceof ChatStreamError) throw error;
      throw new ChatStreamError('network', 'Could not reach the chat service. Check your connection and try again.', true);
    },
  });
}
