import type { ServerResponse } from 'node:http';

const PING = ': ping\n\n';

/**
 * One SSE response: its headers, a `: ping` comment every `heartbeatMs` (whose timer stops when the
 * response closes), and writes of whole frames. Headers set on `res` before (CORS, security, request
 * id) are kept alongside the SSE ones.
 */
export class SseResponse {
  readonly res: ServerResponse;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(res: ServerResponse, heartbeatMs: number) {
    this.res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // No flushHeaders(): the headers leave with the first event, in the same packet.
    this.heartbeat = setInterval(() => {
      // A reader that is not reading gets nothing more piled up, not even pings.
      if (this.ready) this.write(PING);
    }, heartbeatMs);
    this.heartbeat.unref();
    res.once('close', () => clearInterval(this.heartbeat));
  }

  /** Open, and its socket takes more without buffering. */
  get ready(): boolean {
    const { res } = this;
    return !res.writableNeedDrain && !res.writableEnded && !res.destroyed;
  }

  /** One socket write; false when the socket's buffer is full (wait for its `drain`). */
  write(text: string): boolean {
    if (this.res.writableEnded || this.res.destroyed) return false;
    return this.res.write(text);
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }
}
