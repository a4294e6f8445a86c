import type { ChatEvent } from '../../protocol/chat-events.ts';
import type { RunWatchdog } from './run-watchdog.ts';

/**
 * Where one run's events go (Wire 2's, or AG-UI's on /v1/agui): the Run (run.ts), which keeps them
 * and feeds its readers, and outlives any one response.
 */
export interface ChatSink<E = ChatEvent> {
  /** Takes a batch of events; false when the sink is full and the run should wait for `drained`. */
  send(events: readonly E[]): boolean;
  /** Resolves when the sink can take more; undefined when waiting is pointless (closed, or `signal` aborted). */
  drained(signal: AbortSignal): Promise<void> | undefined;
  end(): void;
}

export interface PumpOptions<E = ChatEvent> {
  /** The run's signal: waiting for a full sink stops when it aborts. */
  signal: AbortSignal;
  /** Its idle clock does not run while the sink is full: upstream silence is then not the agent's fault. */
  watchdog: RunWatchdog;
  /** Sees each batch before it is sent (the request log's outcome and count). */
  onBatch?: (events: readonly E[]) => void;
}

/**
 * Moves one run's events into `sink` until the run ends, then ends the sink. Backpressure: while
 * the sink is full, nothing more is read from upstream, so a slow reader slows the agent (through
 * TCP) instead of the BFF buffering for it.
 */
export async function pump<E>(
  events: AsyncIterable<E[]>,
  sink: ChatSink<E>,
  { signal, watchdog, onBatch }: PumpOptions<E>,
): Promise<void> {
  try {
    for await (const batch of events) {
      onBatch?.(batch);
      if (sink.send(batch)) continue;
      const wait = sink.drained(signal);
      if (!wait) continue;
      watchdog.pause();
      await wait;
      watchdog.resume();
    }
  } finally {
    watchdog.stop();
    sink.end();
  }
}
