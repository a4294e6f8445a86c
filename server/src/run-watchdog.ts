/**
 * Watches one run for an upstream that goes quiet (`idle`: no bytes for `idleMs`) and for a run
 * that goes on too long (`max`: past `maxMs`). It costs one timer per run, re-armed only when it
 * fires: `touch()` on each upstream chunk is a clock read, not a clearTimeout/setTimeout pair.
 */
export class RunWatchdog {
  private readonly idleMs: number;
  private readonly deadline: number;
  private readonly onExpire: (why: 'idle' | 'max') => void;
  private last = Date.now();
  private timer: NodeJS.Timeout;

  constructor(idleMs: number, maxMs: number, onExpire: (why: 'idle' | 'max') => void) {
    this.idleMs = idleMs;
    this.deadline = this.last + maxMs;
    this.onExpire = onExpire;
    this.timer = this.arm(Math.min(idleMs, maxMs));
  }

  /** Upstream sent something. An arrow property, so it can be handed over as a callback as is. */
  readonly touch = (): void => {
    this.last = Date.now();
  };

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(this.check, ms);
    timer.unref();
    return timer;
  }

  private readonly check = (): void => {
    const now = Date.now();
    if (now >= this.deadline) return this.onExpire('max');
    if (now - this.last >= this.idleMs) return this.onExpire('idle');
    this.timer = this.arm(Math.min(this.last + this.idleMs, this.deadline) - now);
  };
}
