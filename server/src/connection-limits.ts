import type { Server } from 'node:http';
import { type Socket, isIPv4 } from 'node:net';
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';

/**
 * The key a client is counted under by every limit: an IPv4 address as is (an IPv4-mapped IPv6
 * address is its IPv4 one), an IPv6 address by its /64, the smallest block one subscriber gets,
 * so a client cannot dodge a limit by taking a fresh address from its own block.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  // A server listening on all interfaces sees every IPv4 client like this: answered without
  // parsing it as IPv6 (12 µs a time, measured), on every connection and every chat.
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  return ipKeyGenerator(address, 64);
}

/** How many of something each key has open, at most `max`; a key at zero takes no memory. */
class OpenCounts {
  private readonly counts = new Map<string, number>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Counts one more for `key`, or returns false (counting nothing) when it already has `max`. */
  take(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.max) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = (this.counts.get(key) ?? 1) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }
}

export type Refusal = 'max_connections' | 'max_connections_per_ip';

/**
 * At most MAX_CONNECTIONS open connections (Node drops the ones past it before a byte is read), and
 * at most MAX_CONNECTIONS_PER_IP per client address, dropped the same way.
 *
 * Behind a load balancer every connection comes from the balancer's own few addresses, so a cap
 * per connection address would cap the whole site; there, the per-client cap counts requests in
 * progress per forwarded client address instead (`limitRequestsPerClient`), and the balancer
 * carries the slow clients' connections.
 */
export function limitConnections(
  server: Server,
  {
    maxConnections,
    maxConnectionsPerIp,
    trustProxyHops,
  }: Pick<ServerConfig, 'maxConnections' | 'maxConnectionsPerIp' | 'trustProxyHops'>,
  onRefused: (why: Refusal) => void,
): void {
  server.maxConnections = maxConnections;
  server.on('drop', () => onRefused('max_connections'));
  if (trustProxyHops > 0) return;
  const open = new OpenCounts(maxConnectionsPerIp);
  // Before Node's own listener, so a refused connection never gets a parser.
  server.prependListener('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress);
    if (!open.take(key)) {
      socket.destroy();
      onRefused('max_connections_per_ip');
      return;
    }
    socket.once('close', () => open.release(key));
  });
}

/** Behind a proxy: at most `max` requests in progress per client address (as the proxy forwards it), 429 past that. */
export function limitRequestsPerClient(max: number): RequestHandler {
  const open = new OpenCounts(max);
  return (req, res, next) => {
    const key = clientKey(req.ip);
    if (!open.take(key)) {
      res.setHeader('connection', 'close');
      return next(new HttpError('too_many_connections', { max }));
    }
    res.once('close', () => open.release(key));
    next();
  };
}

/**
 * Logs refused connections without flooding the log when a flood is what is being refused: the
 * first at once, then the count of each kind every `everyMs` while they go on.
 */
export function refusalLog(logger: Logger, everyMs = 10_000): (why: Refusal) => void {
  let counts: Map<Refusal, number> | undefined;
  const flush = () => {
    const seen = counts!;
    counts = undefined;
    if (seen.size) logger.warn({ ...Object.fromEntries(seen), seconds: everyMs / 1000 }, 'connections refused');
  };
  return (why) => {
    if (counts) {
      counts.set(why, (counts.get(why) ?? 0) + 1);
      return;
    }
    logger.warn({ reason: why }, 'connection refused');
    counts = new Map();
    setTimeout(flush, everyMs).unref();
  };
}
