import type { Store } from 'express-rate-limit';
import type { ActiveRuns } from './active-runs.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { RedisRunStore } from './redis-run-store.ts';
import type { Run, RunHost } from './run.ts';
import type { RunReader } from './run-reader.ts';

/** A run as a reader finds it: on this instance, or relayed by another and read through the store. */
export interface RunSource {
  /** Feeds `reader` from its `next` sequence on until `done` (or until it closes). */
  attach(reader: RunReader): void;
}

/** Asked of the store by the cancel endpoint: `unknown` (404), else accepted (202). */
export type CancelOutcome = 'unknown' | 'cancelling' | 'over';

/**
 * Where runs, their events, the one-run-per-conversation lock and the rate limits' counts live:
 * in this process (MemoryRunStore, one BFF), or in Redis (RedisRunStore, any number of BFFs). Both
 * behave the same through this interface; the routes and the relay see no difference.
 */
export interface RunStore extends RunHost {
  /** Takes the run's conversation and registers the run; false when another run holds the conversation (409). */
  start(run: Run): Promise<boolean>;
  /** The run `runId` as `caller` may read it (the `sub` that started it, or anyone in anonymous mode), or undefined. */
  find(runId: string, caller: string | undefined): Promise<RunSource | undefined>;
  /** Stops the run wherever it is relayed. */
  cancel(runId: string, caller: string | undefined): Promise<CancelOutcome>;
  /** The express-rate-limit store for one limit (`undefined`: its own, in memory). */
  rateLimitStore(name: string): Store | undefined;
  /** Closes what it holds open (connections, readers of runs relayed elsewhere). */
  close(): Promise<void>;
}

/** The store `config` asks for: Redis with REDIS_URL (once it answers), else this process. */
export function openRunStore(config: ServerConfig, runs: ActiveRuns, logger: Logger): Promise<RunStore> {
  return config.redisUrl
    ? RedisRunStore.connect(config.redisUrl, {
        runs,
        retentionMs: config.runRetentionMs,
        maxDurationMs: config.streamMaxDurationMs,
        logger,
      })
    : Promise.resolve(
        new MemoryRunStore({ runs, retentionMs: config.runRetentionMs, maxRetained: config.maxRetainedRuns }),
      );
}
