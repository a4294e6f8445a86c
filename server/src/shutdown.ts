import type { Server } from 'node:http';
import type { ActiveRuns } from './active-runs.ts';
import { RunStopped } from './relay.ts';

export const SHUTTING_DOWN = new RunStopped('shutting_down', 'The server is restarting. Try again in a moment.', true);

/**
 * Graceful shutdown: stop accepting connections, end each open stream with `error shutting_down`
 * + `done`, then close every connection. Whatever is still open after `graceMs` (a browser that
 * is not reading) is cut, so this resolves within `graceMs` plus a moment.
 */
export async function shutdown(server: Server, runs: ActiveRuns, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await runs.stopAll(SHUTTING_DOWN);
    // The streams have ended; their keep-alive connections are idle now and would otherwise linger.
    server.closeIdleConnections();
    await closed;
  } finally {
    clearTimeout(force);
  }
}
