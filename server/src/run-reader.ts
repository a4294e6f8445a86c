import type { Response } from 'express';
import { SseResponse } from './sse-response.ts';

// How each wire writes an error's code and the run's ending: Wire 2's `error` and `done`, and the
// AG-UI relay's RUN_ERROR (`type`, then `code`) and RUN_FINISHED (its `outcome`, if any).
const ERROR_CODE = /\n(?:event: error\ndata: \{|data: \{"type":"RUN_ERROR",)"code":"([^"]*)"/;
const DONE_STATUS = /"status":"(\w+)"\}\n\n$/;
const AGUI_LAST = /\ndata: \{"type":"RUN_(?:ERROR|FINISHED)"[^\n]*\n\n$/;
const AGUI_OUTCOME = /"outcome":\{"type":"(cancelled|interrupt)"/;

/** The log's outcome of a run whose last batch is `frames`: the error's code, `complete`, `cancelled`… */
function outcomeOf(frames: string, errorCode: string | undefined): string | undefined {
  const agUi = AGUI_LAST.exec(frames)?.[0];
  if (!agUi) {
    const status = DONE_STATUS.exec(frames)?.[1];
    return status === 'error' ? (errorCode ?? status) : status;
  }
  if (errorCode) return errorCode;
  const outcome = AGUI_OUTCOME.exec(agUi)?.[1];
  return outcome === 'interrupt' ? 'interrupted' : (outcome ?? 'complete');
}

/**
 * One response reading a run from sequence `next` on (the POST that started it, or a resume): it
 * writes frames as the run's store hands them over and ends after the last (`done`, or AG-UI's RUN_FINISHED or RUN_ERROR). The request log's line for
 * it says how many events it carried and how the run ended (the error's code, `complete` or
 * `cancelled`); a reader that leaves first is logged `cancelled` by the request log itself.
 */
export class RunReader {
  /** The next sequence number this reader needs. */
  next: number;
  private readonly res: Response;
  private readonly sse: SseResponse;
  private errorCode: string | undefined;

  constructor(res: Response, after: number, heartbeatMs: number) {
    this.res = res;
    this.next = after + 1;
    this.sse = new SseResponse(res, heartbeatMs);
  }

  /** Open, and its socket takes more now. */
  get ready(): boolean {
    return this.sse.ready;
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Writes frames that end at sequence `last` (already joined; may be empty), and ends after them when `final`. */
  write(frames: string, last: number, final: boolean): void {
    if (frames) {
      const { locals } = this.res;
      locals.events = (locals.events ?? 0) + last - this.next + 1;
      const error = final || frames.includes('\nevent: error\n') ? ERROR_CODE.exec(frames) : null;
      if (error) this.errorCode = error[1];
      this.sse.write(frames);
    }
    this.next = last + 1;
    if (!final) return;
    this.res.locals.outcome = outcomeOf(frames, this.errorCode);
    this.sse.end();
  }

  /** Ends the response without `done` (the reader reconnects elsewhere). */
  close(): void {
    this.sse.end();
  }

  onDrain(listener: () => void): void {
    this.res.on('drain', listener);
  }

  /** `listener` once the response has closed (also when it closed before this was asked: the browser left early). */
  onClose(listener: () => void): void {
    if (this.res.destroyed) setImmediate(listener);
    else this.res.once('close', listener);
  }
}
