import type { ServerResponse } from 'node:http';

/** Strips CR/LF so a value can never end its SSE field early or inject a field of its own. */
function field(value: string): string {
  return value.replace(/[\r\n]/g, '');
}

/**
 * Writes one SSE response: frozen headers, `id: <run id>:<sequence>` on every event (the sequence
 * counts from 1), multi-line data split into `data:` lines, a `: ping` comment every `heartbeatMs`
 * whose timer stops when the response closes.
 */
export class SseWriter {
  private readonly res: ServerResponse;
  private readonly runId: string;
  private sequence = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, runId: string, heartbeatMs: number) {
    this.res = res;
    this.runId = field(runId);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.comment('ping'), heartbeatMs);
      this.heartbeat.unref();
    }
    res.on('close', () => clearInterval(this.heartbeat));
  }

  /** Writes one event; returns false when the socket's buffer is full (wait for 'drain'). */
  send(event: string, data: unknown): boolean {
    const lines = JSON.stringify(data).split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
    return this.write(`id: ${this.runId}:${++this.sequence}\nevent: ${field(event)}\n${lines}\n`);
  }

  comment(text: string): boolean {
    return this.write(`: ${field(text)}\n\n`);
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
