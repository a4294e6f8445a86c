import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { LOCAL_RUNTIME_ARN } from '../../protocol/local-runtime.ts';

/**
 * The local AgentCore gateway, for development: it serves the data plane's
 * `POST /runtimes/{arn}/invocations?qualifier=…` the way Bedrock AgentCore does and forwards each
 * call to the runtime's `/invocations`, streaming bytes through as they come. So the BFF runs the
 * very same AWS SDK code path locally and in the cloud. It checks that a SigV4 signature is present
 * but cannot verify it (there is no AWS here): it is not a security boundary.
 */

const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

export interface GatewayOptions {
  /** Base URL of the agent runtime, e.g. http://127.0.0.1:8080. */
  runtimeUrl: string;
  /** The one runtime this gateway serves. */
  runtimeArn?: string;
}

export interface RunningGateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** An error the way the AgentCore data plane (restJson1) answers one. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message }));
}

/** A request this gateway cannot take as sent: answered 400, as AgentCore answers a malformed one. */
class InvalidRequest extends Error {}

/** AgentCore's limits on an endpoint name and a runtime session id. */
const QUALIFIER = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const SESSION_ID = /^[\x21-\x7e]{33,256}$/;

export function createGateway({ runtimeUrl, runtimeArn = LOCAL_RUNTIME_ARN }: GatewayOptions): Server {
  const runtime = new URL('/invocations', runtimeUrl);

  // Whatever a request holds, it gets an answer: nothing it sends may take the gateway (and with it
  // `npm start`) down.
  return createServer((req, res) => {
    try {
      handle(req, res, runtime, runtimeArn);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else if (error instanceof InvalidRequest) sendError(res, 400, 'ValidationException', error.message);
      else sendError(res, 500, 'InternalServerException', 'The local gateway failed on this request');
    }
  });
}

function decodeArn(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidRequest('The runtime ARN in the path is not valid percent-encoding');
  }
}

function handle(req: IncomingMessage, res: ServerResponse, runtime: URL, runtimeArn: string): void {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://gateway');
  } catch {
    throw new InvalidRequest('The request target is not a valid URL');
  }
  if (req.method === 'GET' && url.pathname === '/ping') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Healthy"}');
    return;
  }
  const route = /^\/runtimes\/([^/]+)\/invocations$/.exec(url.pathname);
  if (!route || req.method !== 'POST') {
    return sendError(res, 404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`);
  }
  if (decodeArn(route[1]!) !== runtimeArn) {
    return sendError(res, 404, 'ResourceNotFoundException', 'No agent runtime with that ARN');
  }
  const qualifier = url.searchParams.get('qualifier') ?? 'DEFAULT';
  if (!QUALIFIER.test(qualifier)) throw new InvalidRequest('The qualifier is not a valid endpoint name');
  if (qualifier !== 'DEFAULT') {
    return sendError(res, 404, 'ResourceNotFoundException', `No endpoint named ${qualifier}`);
  }
  if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
    return sendError(res, 403, 'AccessDeniedException', 'The request is not signed with SigV4');
  }
  const sessionId = req.headers[SESSION_HEADER];
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
    throw new InvalidRequest('The runtime session id must be 33 to 256 visible ASCII characters');
  }
  forward(req, res, runtime, sessionId ?? randomUUID());
}

function forward(req: IncomingMessage, res: ServerResponse, runtime: URL, sessionId: string): void {
  const upstream = httpRequest(runtime, {
    method: 'POST',
    headers: {
      'content-type': req.headers['content-type'] ?? 'application/json',
      accept: req.headers.accept ?? 'application/json',
      [SESSION_HEADER]: sessionId,
      'x-amzn-bedrock-agentcore-runtime-request-id': randomUUID(),
    },
  });
  // The caller hung up: drop the runtime call too, so the agent run is cancelled.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.on('response', (answer) => {
    if ((answer.statusCode ?? 500) >= 400) {
      answer.resume();
      return sendError(res, 424, 'RuntimeClientError', `The agent runtime answered ${answer.statusCode}`);
    }
    res.writeHead(answer.statusCode ?? 200, {
      'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
      [SESSION_HEADER]: sessionId,
    });
    res.flushHeaders();
    // Bytes go through as they arrive: no buffering of the agent's stream.
    pipeline(answer, res).catch(() => res.destroy());
  });
  upstream.on('error', () => {
    if (!res.headersSent) sendError(res, 424, 'RuntimeClientError', 'The agent runtime is not reachable');
    else res.destroy();
  });
  pipeline(req, upstream).catch(() => upstream.destroy());
}

/** Listens on loopback unless `host` says otherwise: the gateway checks no signature, so it is for this machine. */
export function listenGateway(server: Server, port: number, host = '127.0.0.1'): Promise<RunningGateway> {
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`,
        server,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
