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

export function createGateway({ runtimeUrl, runtimeArn = LOCAL_RUNTIME_ARN }: GatewayOptions): Server {
  const runtime = new URL('/invocations', runtimeUrl);

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET' && url.pathname === '/ping') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Healthy"}');
      return;
    }
    const route = /^\/runtimes\/([^/]+)\/invocations$/.exec(url.pathname);
    if (!route || req.method !== 'POST') {
      return sendError(res, 404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`);
    }
    if (decodeURIComponent(route[1]!) !== runtimeArn) {
      return sendError(res, 404, 'ResourceNotFoundException', 'No agent runtime with that ARN');
    }
    const qualifier = url.searchParams.get('qualifier') ?? 'DEFAULT';
    if (qualifier !== 'DEFAULT') {
      return sendError(res, 404, 'ResourceNotFoundException', `No endpoint named ${qualifier}`);
    }
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      return sendError(res, 403, 'AccessDeniedException', 'The request is not signed with SigV4');
    }
    forward(req, res, runtime);
  });
}

function forward(req: IncomingMessage, res: ServerResponse, runtime: URL): void {
  const sessionId = (req.headers[SESSION_HEADER] as string | undefined) ?? randomUUID();
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

export function listenGateway(server: Server, port: number, host = '0.0.0.0'): Promise<RunningGateway> {
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
