import type { RunStopped } from './relay.ts';

/**
 * The runs in progress in this process, one per conversation (its runtime session id, which in
 * authenticated mode is the user's and not just the browser's id): the basis of "one run at a time
 * per conversation" (409) and of graceful shutdown, which stops them all.
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

  /** The controller of a new run for this conversation, or undefined when it has one running. */
  begin(conversation: string): AbortController | undefined {
    if (this.runs.has(conversation)) return undefined;
    const controller = new AbortController();
    this.runs.set(conversation, controller);
    return controller;
  }

  end(conversation: string): void {
    this.runs.delete(conversation);
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
