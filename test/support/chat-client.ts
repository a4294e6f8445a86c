import { performance } from 'node:perf_hooks';
import { parseSse } from '../../protocol/sse.ts';

export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: any;
  /** performance.now() when the event came off the socket. */
  at: number;
}

/** A browser-like client for `POST /v1/chat/stream`: every event with the moment it arrived. */
export async function chat(
  baseUrl: string,
  body: unknown,
  init: RequestInit = {},
): Promise<{ status: number; events: ReceivedEvent[] }> {
  const response = await fetch(`${baseUrl}/v1/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    ...init,
  });
  const events: ReceivedEvent[] = [];
  if (response.body) {
    for await (const { id, event, data } of parseSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
      events.push({ id, event, data: JSON.parse(data), at: performance.now() });
    }
  }
  return { status: response.status, events };
}
