/**
 * Server-sent events, as both wires frame them: `event: <name>` and one `data:` line of JSON per
 * event (Wire 2 adds `id: <run>:<sequence>`), comments (`: ping`) between them; AG-UI's are one
 * `data:` line each. One encoder and one incremental decoder for every process; the browser decodes
 * with fetch-event-source.
 */
import { StringDecoder } from 'node:string_decoder';
import { type EventSourceParser, createParser } from 'eventsource-parser';

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * One event's frame. `event` and `id` must hold no CR or LF (event names are each wire's own
 * constants; ids are made by the sender); JSON.stringify escapes every CR and LF in `data`, so the
 * frame is one template: nothing split or joined.
 */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One AG-UI event's frame: its JSON on a single `data:` line, as @ag-ui/encoder writes it (AG-UI
 * names its events inside the JSON, not with `event:`). `json` must hold no raw CR or LF, which
 * JSON.stringify never writes; `id` as for sseFrame.
 */
export function dataFrame(json: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}data: ${json}\n\n`;
}

/** Raised when one SSE event grows past the parser's size limit before it completes. */
export class SseEventTooLargeError extends Error {
  override name = 'SseEventTooLargeError';
}

const NONE: readonly SseMessage[] = Object.freeze([]);

/**
 * Incremental SSE parsing: feed each chunk as it arrives and take the messages it completes,
 * whatever the chunk boundaries (they rarely line up with events). Memory is bounded: an event
 * still incomplete after more than `maxEventBytes` throws instead of growing without end.
 */
export class SseParser {
  private readonly parser: EventSourceParser;
  // StringDecoder, not TextDecoder: as light as a few bytes of JS state, where Node's TextDecoder
  // holds a native ICU converter, and every open stream has one.
  private readonly decoder = new StringDecoder('utf8');
  private ready: SseMessage[] = [];

  constructor(maxEventBytes = Number.POSITIVE_INFINITY) {
    this.parser = createParser({
      onEvent: ({ id, event, data }) => {
        this.ready.push(
          id === undefined ? { event: event ?? 'message', data } : { id, event: event ?? 'message', data },
        );
      },
      // The parser measures what it holds for the event in progress (its data and any unfinished
      // line), in characters, whatever comments or blank lines come in between.
      ...(Number.isFinite(maxEventBytes) ? { maxBufferSize: maxEventBytes } : {}),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded')
          throw new SseEventTooLargeError(`An SSE event exceeded ${maxEventBytes} characters`);
      },
    });
  }

  /** The messages this chunk completes (often none). */
  feed(chunk: Uint8Array | string): readonly SseMessage[] {
    this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    return this.take();
  }

  /** The stream ended: flush what the decoder still holds. */
  end(): readonly SseMessage[] {
    this.parser.feed(this.decoder.end());
    return this.take();
  }

  private take(): readonly SseMessage[] {
    if (this.ready.length === 0) return NONE;
    const out = this.ready;
    this.ready = [];
    return out;
  }
}

/** Parses a whole SSE byte stream, yielding each message as soon as the chunk completing it arrives. */
export async function* parseSse(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  for await (const chunk of chunks) yield* parser.feed(chunk);
  yield* parser.end();
}
