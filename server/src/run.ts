import { randomBytes } from 'node:crypto';
import type { ChatSink } from './pump.ts';
import { CANCELLED, type RunCancelled, RunStopped } from './relay.ts';
import type { RunReader } from './run-reader.ts';
import type { RunWire } from './run-wire.ts';

/**
 * A new run id: 128 random bits as base64url (22 characters). In anonymous mode whoever holds it
 * may read or stop the run, so it is a bearer secret and must not be guessable.
 */
export const newRunId = (): string => randomBytes(16).toString('base64url');

/** What a run id looks like; anything else cannot be a run (404 without asking the store). */
export const RUN_ID = /^[A-Za-z0-9_-]{22}$/;

const TOO_LARGE = new RunStopped('run_too_large');

/** What a run needs from the store that keeps it. */
export interface RunHost {
  /** A batch of the run's frames (SSE, with ids), ending at `run.last`; `final`: it ends with the run's last event. */
  recorded(run: Run, frames: string, final: boolean): void;
  /** The run has had no reader here for the grace period: resolves true while someone reads it on another instance. */
  readElsewhere(run: Run): Promise<boolean>;
  /** The run is over (its last event recorded, the relay finished). */
  ended(run: Run): void;
}

export interface RunOptions<E> {
  id: string;
  /** How its events are framed, and which is the last (Wire 2's `done`, AG-UI's RUN_FINISHED or RUN_ERROR). */
  wire: RunWire<E>;
  /** The caller's `sub` in authenticated mode: only they may read or stop the run. */
  owner: string | undefined;
  /** The conversation's lock this run holds (its runtime session id). */
  conversation: string;
  maxBytes: number;
  /** How long it goes on without a reader (0: it stops when its last reader leaves). */
  graceMs: number;
  host: RunHost;
}

/**
 * One run as the instance relaying it holds it: the relay writes its events into it (it is the
 * pump's sink: Wire 2's, or AG-UI's), it numbers and frames each event once, keeps every frame (at most `maxBytes`, past
 * which the run fails), hands each batch to its store, and feeds its readers — the POST's response
 * and any resumed ones on this instance. A reader that keeps up gets each batch as it comes, in one
 * write; one whose socket is full is skipped, and catches up from the kept frames when it drains,
 * so a slow reader never holds up the run or makes the BFF buffer more than the run itself.
 *
 * Readers come and go; the run does not stop with them. When the last one leaves, it goes on for
 * `graceMs` (and longer while someone reads it elsewhere), then stops as cancelled.
 */
export class Run<E = unknown> implements ChatSink<E> {
  readonly id: string;
  readonly wire: RunWire<E>;
  readonly owner: string | undefined;
  readonly conversation: string;
  readonly controller = new AbortController();
  /** Every frame so far, by sequence number − 1. */
  private readonly frames: string[] = [];
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly graceMs: number;
  private readonly host: RunHost;
  private readonly readers = new Set<RunReader>();
  private grace: NodeJS.Timeout | undefined;
  private over = false;
  private closed = false;

  constructor({ id, wire, owner, conversation, maxBytes, graceMs, host }: RunOptions<E>) {
    this.id = id;
    this.wire = wire;
    this.owner = owner;
    this.conversation = conversation;
    this.maxBytes = maxBytes;
    this.graceMs = graceMs;
    this.host = host;
  }

  /** The last sequence number recorded. */
  get last(): number {
    return this.frames.length;
  }

  /** Its last event has been recorded. */
  get done(): boolean {
    return this.over;
  }

  /** Frames after sequence `after`, joined. */
  framesAfter(after: number): string {
    return after >= this.frames.length ? '' : this.frames.slice(after).join('');
  }

  /** Stops the run (the relay then records why, and its last event); a run already over is left as it is. */
  stop(reason: RunStopped | RunCancelled): void {
    if (!this.over) this.controller.abort(reason);
  }

  send(events: readonly E[]): void {
    // After the last event, or once over its size (until the relay's last batch: the error), nothing is kept.
    const last = events.at(-1);
    const final = last !== undefined && this.wire.isFinal(last);
    if (this.over || (this.controller.signal.reason === TOO_LARGE && !final)) return;
    const first = this.frames.length + 1;
    let frames = '';
    for (let i = 0; i < events.length; i++) {
      const frame = `id: ${this.id}:${first + i}\n${this.wire.frame(events[i]!)}`;
      this.frames.push(frame);
      frames += frame;
    }
    this.bytes += Buffer.byteLength(frames);
    if (this.bytes > this.maxBytes && !final) {
      this.frames.length = first - 1;
      this.controller.abort(TOO_LARGE);
      return;
    }
    if (final) this.over = true;
    for (const reader of this.readers) {
      if (reader.next === first && reader.ready) reader.write(frames, this.last, final);
      else this.feed(reader);
    }
    // The readers here first: the live path never waits for the store (Redis).
    this.host.recorded(this, frames, final);
  }

  /** The relay is over. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.grace);
    this.host.ended(this);
  }

  /** A reader from its `next` sequence on: what is kept now, then each batch as it comes, until the last. */
  attach(reader: RunReader): void {
    this.readers.add(reader);
    clearTimeout(this.grace);
    this.grace = undefined;
    reader.onDrain(() => this.feed(reader));
    reader.onClose(() => this.detach(reader));
    this.feed(reader);
  }

  private feed(reader: RunReader): void {
    if (reader.next <= this.last && reader.ready) {
      reader.write(this.framesAfter(reader.next - 1), this.last, this.over);
    } else if (this.over && reader.next > this.last) {
      reader.write('', this.last, true);
    }
  }

  private detach(reader: RunReader): void {
    this.readers.delete(reader);
    if (this.readers.size > 0 || this.over || this.closed) return;
    if (this.graceMs === 0) return this.stop(CANCELLED);
    this.grace = setTimeout(() => void this.graceOver(), this.graceMs);
    this.grace.unref();
  }

  private async graceOver(): Promise<void> {
    this.grace = undefined;
    if (this.readers.size > 0 || this.over) return;
    // Asked at the end, not polled: a reader elsewhere only keeps it going for another grace period.
    if (await this.host.readElsewhere(this)) {
      if (this.readers.size === 0 && !this.over) {
        this.grace = setTimeout(() => void this.graceOver(), this.graceMs);
        this.grace.unref();
      }
      return;
    }
    if (this.readers.size === 0) this.stop(CANCELLED);
  }
}
