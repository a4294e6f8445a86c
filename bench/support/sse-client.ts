import { Agent, request } from 'node:http';
import { createParser } from 'eventsource-parser';

export interface ReceivedEvent {
  event: string;
  data: unknown;
  /** `process.hrtime.bigint()` when the chunk completing the event came off the socket. */
  at: bigint;
}

/** One SSE stream as a client sees it, filled in while it runs. */
export interface OpenStream {
  /** HTTP status, once the response head arrived. */
  status: number | undefined;
  events: ReceivedEvent[];
  /** Comment lines (heartbeats). */
  comments: number;
  /** `process.hrtime.bigint()` just before the request was sent. */
  sentAt: bigint;
  /** Settles when the response ended (resolves) or the request failed (rejects). */
  finished: Promise<void>;
}

/** A client agent for many concurrent streams: no socket limit, connections reused. */
export function streamAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: Infinity });
}

/**
 * POSTs `body` as JSON and reads the response as SSE, stamping each event with the time its last
 * chunk arrived (parsing it costs the client, not the server). A non-2xx answer keeps its body in
 * `errorBody` and ends the stream without events.
 */
export function openStream(url: string, body: unknown, agent: Agent): OpenStream & { errorBody: string } {
  const stream: OpenStream & { errorBody: string } = {
    status: undefined,
    events: [],
    comments: 0,
    sentAt: 0n,
    finished: Promise.resolve(),
    errorBody: '',
  };
  let at = 0n;
  const parser = createParser({
    onEvent: ({ event, data }) => stream.events.push({ event: event ?? 'message', data: JSON.parse(data), at }),
    onComment: () => void stream.comments++,
  });
  const payload = JSON.stringify(body);
  stream.finished = new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': Buffer.byteLength(payload),
      },
    });
    req.on('response', (res) => {
      stream.status = res.statusCode;
      const ok = (res.statusCode ?? 0) < 300;
      const decoder = new TextDecoder();
      res.on('data', (chunk: Buffer) => {
        at = process.hrtime.bigint();
        const text = decoder.decode(chunk, { stream: true });
        if (ok) parser.feed(text);
        else stream.errorBody += text;
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    stream.sentAt = process.hrtime.bigint();
    req.end(payload);
  });
  return stream;
}
