import {
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
} from 'node:http';
import { SseParser } from '../../protocol/sse.ts';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  /** The body as JSON, when it is JSON. */
  json: any;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** One plain HTTP request, with full control of method, headers and bytes (unlike fetch). */
export function send(
  baseUrl: string,
  { method = 'POST', path = '/v1/chat/stream', headers = {}, body }: RequestOptions = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method, headers }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (raw += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, raw, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: any;
}

/**
 * A browser-like SSE client for `POST /v1/chat/stream` (or, given `body` undefined and a path, a
 * GET such as a run's events) on a socket of its own, which a test can pause (stop reading),
 * resume, or drop — with a FIN or a RST — at any moment.
 */
export class ChatStream {
  readonly events: StreamEvent[] = [];
  raw = '';
  response: IncomingMessage | undefined;
  /** Resolves when the response has ended or the connection closed. */
  readonly finished: Promise<void>;
  private readonly req: ClientRequest;
  private readonly parser = new SseParser();
  private waiters: (() => void)[] = [];

  constructor(baseUrl: string, body: unknown, headers: OutgoingHttpHeaders = {}, path = '/v1/chat/stream') {
    let finish!: () => void;
    this.finished = new Promise((resolve) => (finish = resolve));
    const post = body !== undefined;
    this.req = request(new URL(path, baseUrl), {
      method: post ? 'POST' : 'GET',
      headers: { ...(post ? { 'content-type': 'application/json' } : {}), accept: 'text/event-stream', ...headers },
      agent: false,
    });
    this.req.on('response', (res) => {
      this.response = res;
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        this.raw += text;
        for (const { id, event, data } of this.parser.feed(text))
          this.events.push({ id, event, data: JSON.parse(data) });
        this.notify();
      });
      res.on('close', () => {
        finish();
        this.notify();
      });
    });
    this.req.on('error', () => {
      finish();
      this.notify();
    });
    this.req.end(post ? JSON.stringify(body) : undefined);
  }

  /** A run's events from `GET /v1/chat/runs/{runId}/events`, after `lastEventId` (`<run>:<seq>`) when given. */
  static resume(baseUrl: string, runId: string, lastEventId?: string, headers: OutgoingHttpHeaders = {}): ChatStream {
    const resumeFrom = lastEventId ? { 'last-event-id': lastEventId } : {};
    return new ChatStream(baseUrl, undefined, { ...resumeFrom, ...headers }, `/v1/chat/runs/${runId}/events`);
  }

  /** The run id its `start` event carries. */
  get runId(): string {
    return this.find('start')?.data.run_id;
  }

  /** Waits until `check` holds (it is rechecked on every chunk); throws after `ms`. */
  async until(check: (s: ChatStream) => boolean, ms = 10_000): Promise<void> {
    const deadline = setTimeout(() => this.notify(), ms);
    const started = performance.now();
    try {
      while (!check(this)) {
        if (performance.now() - started >= ms)
          throw new Error(`timed out; got ${this.events.map((e) => e.event).join(',')}`);
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  has(event: string): boolean {
    return this.events.some((e) => e.event === event);
  }

  find(event: string): StreamEvent | undefined {
    return this.events.find((e) => e.event === event);
  }

  /** Stops reading: the bytes pile up in the sockets, then at the BFF's door. */
  pause(): void {
    this.req.socket?.pause();
    this.response?.pause();
  }

  resume(): void {
    this.req.socket?.resume();
    this.response?.resume();
  }

  /** Drops the connection the way a closed tab does (FIN), or with a RST. */
  close(how: 'fin' | 'rst' = 'fin'): void {
    if (how === 'rst') this.req.socket?.resetAndDestroy();
    else this.req.destroy();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
