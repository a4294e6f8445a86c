import type { ServerResponse } from 'node:http';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { sseFrame } from '../../protocol/sse.ts';
import type { ChatSink } from './pump.ts';

/** How one event is framed, after its `id:`: Wire 2's `event:` and `data:` lines, or AG-UI's `data:` line. */
export type Framer<E> = (event: E, id: string) => string;

export const chatFrame: Framer<ChatEvent> = ({ event, data }, id) => sseFrame(event, data, id);

/** Strips CR/LF so a value can never end its SSE field early or inject a field of its own. */
function field(value: string): string {
  return value.replace(/[\r\n]/g, '');
}

const PING = ': ping\n\n';

/**
 * Writes one SSE response: frozen headers, `id: <run id>:<sequence>` on every event (the sequence
 * counts from 1), a `: ping` comment every `heartbeatMs` whose timer stops when the response closes.
 * Headers set on `res` before (CORS, security, request id) are kept alongside the SSE ones.
 */
export class SseWriter<E = ChatEvent> implements ChatSink<E> {
  private readonly res: ServerResponse;
  private readonly runId: string;
  private readonly frame: Framer<E>;
  private sequence = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(res: ServerResponse, runId: string, heartbeatMs: number, frame: Framer<E>) {
    this.res = res;
    this.runId = field(runId);
    this.frame = frame;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // No flushHeaders(): the headers leave with the first event, in the same packet.
    this.heartbeat = setInterval(() => {
      // A reader that is not reading gets nothing more piled up, not even pings.
      if (!res.writableNeedDrain) this.write(PING);
    }, heartbeatMs);
    this.heartbeat.unref();
    res.once('close', () => clearInterval(this.heartbeat));
  }

  /** Writes events as one socket write; returns false when the socket's buffer is full (wait for `drained`). */
  send(events: readonly E[]): boolean {
    let frames = '';
    for (const event of events) frames += this.frame(event, `${this.runId}:${++this.sequence}`);
    return this.write(frames);
  }

  /** Resolves when the response can take more, or when waiting is pointless (closed, or the run was stopped). */
  drained(signal: AbortSignal): Promise<void> | undefined {
    const { res } = this;
    if (res.destroyed || !res.writableNeedDrain || signal.aborted) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
      signal.addEventListener('abort', done);
    });
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  private write(frame: string): boolean {
    if (this.res.writableEnded || this.res.destroyed) return false;
    return this.res.write(frame);
  }
}
