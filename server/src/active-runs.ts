import type { RunStopped } from './relay.ts';
import type { Run } from './run.ts';

/**
 * The runs this process relays, by run id: where a resume or a cancel finds a run relayed here, and
 * what graceful shutdown stops. (Which conversation is busy is the run store's business: with Redis,
 * another instance may hold it.)
 */
export class ActiveRuns {
  private readonly runs = new Map<string, Run>();
  private stopReason: RunStopped | undefined;
  private onEmpty: (() => void) | undefined;

  get size(): number {
    return this.runs.size;
  }

  /** True once stopAll was called: no new run may start. */
  get stopping(): boolean {
    return this.stopReason !== undefined;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  add(run: Run): void {
    this.runs.set(run.id, run);
  }

  delete(run: Run): void {
    this.runs.delete(run.id);
    if (this.runs.size === 0) this.onEmpty?.();
  }

  /** Stops every run with `reason` (each tells its readers) and resolves once all of them have ended. */
  stopAll(reason: RunStopped): Promise<void> {
    this.stopReason = reason;
    if (this.runs.size === 0) return Promise.resolve();
    const empty = new Promise<void>((resolve) => (this.onEmpty = resolve));
    for (const run of this.runs.values()) run.stop(reason);
    return empty;
  }
}
