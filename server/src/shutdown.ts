import type { Server } from 'node:http';
import type { ActiveRuns } from './active-runs.ts';
import { RunStopped } from './relay.ts';
import type { RunStore } from './run-store.ts';

export const SHUTTING_DOWN = new RunStopped('shutting_down');

/**
 * Graceful shutdown: stop accepting connections, end each run relayed here with `error
 * shutting_down` + `done` (its readers here and elsewhere are told), let go of readers of runs relayed
 * elsewhere (their browsers reconnect to another instance and read on), then close every connection.
 * At `graceMs` whatever is still open (a browser that is not reading) is cut and shutdown is over,
 * whether or not everything has ended by then: this resolves within `graceMs`, always.
 */
export async function shutdown(server: Server, runs: ActiveRuns, store?: RunStore, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  let force: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    force = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
  });
  const graceful = runs.stopAll(SHUTTING_DOWN).then(async () => {
    await store?.close();
    // The streams have ended; their keep-alive connections are idle now and would otherwise linger.
    server.closeIdleConnections();
    return closed;
  });
  try {
    await Promise.race([graceful, deadline]);
  } finally {
    clearTimeout(force);
  }
}
