import type { ChatEvent } from '../../protocol/chat-events.ts';
import type { RunWatchdog } from './run-watchdog.ts';

/**
 * Where one run's events go (Wire 2's, or AG-UI's on /v1/agui): the Run (run.ts), which keeps them
 * and feeds its readers, and outlives any one response. It never makes the relay wait: a reader that
 * falls behind catches up from the frames the run keeps (at most MAX_RUN_BYTES).
 */
export interface ChatSink<E = ChatEvent> {
  send(events: readonly E[]): void;
  end(): void;
}

/** Moves one run's events into `sink` until the run ends, then stops its watchdog and ends the sink. */
export async function pump<E>(events: AsyncIterable<E[]>, sink: ChatSink<E>, watchdog: RunWatchdog): Promise<void> {
  try {
    for await (const batch of events) sink.send(batch);
  } finally {
    watchdog.stop();
    sink.end();
  }
}
