import { IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import type { ServerConfig } from './config.ts';
import { type Refusal, limitConnections } from './connection-limits.ts';

/**
 * Node closes idle keep-alive connections after 5 s, shorter than load balancers keep theirs (AWS ALB:
 * 60 s), so an LB reusing a connection the BFF just closed gets a reset and answers 502. Idle
 * connections therefore outlive the LB's: it always closes first.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export type HttpServerConfig = Pick<
  ServerConfig,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'maxConnections' | 'maxConnectionsPerIp' | 'trustProxyHops'
>;

/**
 * Node's HTTP server for `app`: its requests and responses born with Express's prototypes, slow and
 * greedy clients cut off (see connection-limits.ts for the second), and a 'close' for every response.
 *
 * Prototypes. `app.listen()` lets Node make plain requests and responses, which Express then
 * re-prototypes on every request (`Object.setPrototypeOf`). V8 then gives every request and
 * response a hidden class of its own, and keeps such objects alive through young-generation
 * collections: each request's objects would be copied, then promoted to the old generation, instead
 * of dying young (measured: docs/decisions.md). Node's classes are extended and spliced in under
 * Express's prototypes, and `app.request` and `app.response` point at the new prototypes, so Express
 * finds the prototype it would set already there and leaves it. Subclasses, not constructor
 * functions: V8 sizes their instances as Node's own, where a plain function with a borrowed
 * prototype leaves every response with slow (dictionary) properties, and `Reflect.construct` gives
 * every instance a hidden class of its own again.
 *
 * Slow clients. Node checks these deadlines on a sweep (`connectionsCheckingInterval`, 30 s by
 * default, which would let a trickler live 30 s past them), and counts both from a request's first
 * byte (or the connection's opening) to the end of its headers or body: an idle keep-alive
 * connection between requests is not counted, so one a load balancer keeps for reuse is not cut
 * (Node ≥ 18; `keepAliveTimeout` governs those).
 */
export function createHttpServer(
  app: Express,
  config: HttpServerConfig,
  onRefused: (why: Refusal) => void = () => {},
): Server {
  const { headersTimeoutMs, requestTimeoutMs } = config;
  class AppRequest extends IncomingMessage {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  app.request = AppRequest.prototype as unknown as Express['request'];
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.response = AppResponse.prototype as unknown as Express['response'];
  const server = createServer(
    {
      IncomingMessage: AppRequest,
      ServerResponse: AppResponse,
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeoutMs / 4)),
    },
    app,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  limitConnections(server, config, onRefused);
  closeQueuedResponsesWithTheirConnection(server);
  return server;
}

/**
 * Requests pipelined on one connection are all handled at once, but each response gets the socket
 * only when the ones ahead of it are done. If the connection closes first, Node never tells the
 * responses still waiting (Node 20, measured; any Node without nodejs/node#62534): no 'close', ever.
 * Everything that ends with a response's 'close' — the run and its upstream call, the session's
 * lock, the request's log line, shutdown waiting for the runs — would wait forever. So the socket's
 * close closes them. (A Node with that fix closes them itself, on the next tick; those are seen
 * closed by then and left alone.)
 */
function closeQueuedResponsesWithTheirConnection(server: Server): void {
  const queued = new WeakMap<Socket, Set<ServerResponse>>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (res.socket) return; // Node assigned it the socket: Node emits its 'close'.
    const socket = req.socket;
    let waiting = queued.get(socket);
    if (!waiting) {
      const set = (waiting = new Set());
      queued.set(socket, set);
      socket.once('close', () => setImmediate(closeAll, set));
    }
    waiting.add(res);
    const forget = () => waiting.delete(res);
    res.once('socket', forget).once('close', forget);
  });
}

function closeAll(responses: Set<ServerResponse>): void {
  for (const res of responses) {
    res.destroy(); // any write from now on is dropped
    res.emit('close');
  }
  responses.clear();
}
