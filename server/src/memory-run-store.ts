import type { ActiveRuns } from './active-runs.ts';
import { CANCELLED } from './relay.ts';
import type { Run } from './run.ts';
import type { CancelOutcome, RunSource, RunStore } from './run-store.ts';

export interface MemoryRunStoreOptions {
  runs: ActiveRuns;
  retentionMs: number;
  maxRetained: number;
}

/**
 * Runs in this process: the runs relayed here (ActiveRuns), and the last `maxRetained` finished ones
 * for `retentionMs`, each in memory (at most MAX_RUN_BYTES). The one BFF this serves is the only one
 * that can have a run, so every lookup is local.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs: ActiveRuns;
  private readonly retentionMs: number;
  private readonly maxRetained: number;
  /** Conversation → the run holding it. */
  private readonly locks = new Map<string, Run>();
  /** Finished runs, oldest first, with their expiry. */
  private readonly finished = new Map<string, { run: Run; expiry: NodeJS.Timeout }>();

  constructor({ runs, retentionMs, maxRetained }: MemoryRunStoreOptions) {
    this.runs = runs;
    this.retentionMs = retentionMs;
    this.maxRetained = maxRetained;
  }

  async start(run: Run): Promise<boolean> {
    if (this.locks.has(run.conversation)) return false;
    this.locks.set(run.conversation, run);
    return true;
  }

  recorded(): void {}

  async readElsewhere(): Promise<boolean> {
    return false;
  }

  ended(run: Run): void {
    if (this.locks.get(run.conversation) === run) this.locks.delete(run.conversation);
    if (this.maxRetained === 0) return;
    const expiry = setTimeout(() => this.finished.delete(run.id), this.retentionMs);
    expiry.unref();
    this.finished.set(run.id, { run, expiry });
    for (const [id, oldest] of this.finished) {
      if (this.finished.size <= this.maxRetained) break;
      clearTimeout(oldest.expiry);
      this.finished.delete(id);
    }
  }

  async find(runId: string, caller: string | undefined): Promise<RunSource | undefined> {
    return this.lookup(runId, caller);
  }

  async cancel(runId: string, caller: string | undefined): Promise<CancelOutcome> {
    const run = this.lookup(runId, caller);
    if (!run) return 'unknown';
    if (run.done) return 'over';
    run.stop(CANCELLED);
    return 'cancelling';
  }

  private lookup(runId: string, caller: string | undefined): Run | undefined {
    const run = this.runs.get(runId) ?? this.finished.get(runId)?.run;
    return run?.owner === caller ? run : undefined;
  }

  rateLimitStore(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    for (const { expiry } of this.finished.values()) clearTimeout(expiry);
    this.finished.clear();
  }
}
