import { createParser } from 'eventsource-parser';

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses an SSE byte stream incrementally: each message is yielded as soon as the chunk that
 * completes it arrives, whatever the chunk boundaries (they rarely line up with events).
 */
export async function* parseSse(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const ready: SseMessage[] = [];
  const parser = createParser({
    onEvent: ({ id, event, data }) => ready.push({ ...(id === undefined ? {} : { id }), event: event ?? 'message', data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  parser.feed(decoder.decode());
  yield* ready.splice(0);
}
