import type { RunStopped } from './relay.ts';

/**
 * The runs in progress in this process, one per browser session: the basis of "one run at a time
 * per session" (409) and of graceful shutdown, which stops them all.
 */
export class ActiveRuns {
  private readonly runs = new Map<string, AbortController>();
  private stopReason: RunStopped | undefined;
  private onEmpty: (() => void) | undefined;

  get size(): number {
    return this.runs.size;
  }

  /** True once stopAll was called: no new run may start. */
  get stopping(): boolean {
    return this.stopReason !== undefined;
  }

  /** The controller of a new run for this session, or undefined when the session has one running. */
  begin(sessionId: string): AbortController | undefined {
    if (this.runs.has(sessionId)) return undefined;
    const controller = new AbortController();
    this.runs.set(sessionId, controller);
    return controller;
  }

  end(sessionId: string): void {
    this.runs.delete(sessionId);
    if (this.runs.size === 0) this.onEmpty?.();
  }

  /** Stops every run with `reason` (each tells its browser) and resolves once all of them have ended. */
  stopAll(reason: RunStopped): Promise<void> {
    this.stopReason = reason;
    if (this.runs.size === 0) return Promise.resolve();
    const empty = new Promise<void>((resolve) => (this.onEmpty = resolve));
    for (const controller of this.runs.values()) controller.abort(reason);
    return empty;
  }
}
