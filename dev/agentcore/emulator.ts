import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RUNTIME_SESSION_HEADER } from '../../protocol/agent-request.ts';
import { sseFrame } from '../../protocol/sse.ts';

/**
 * The core every local stand-in for the Bedrock AgentCore data plane shares — the local gateway of
 * `npm start`, the tests' fault-injecting fake and the benchmarks' synthetic endpoint: the route the
 * AWS SDK calls (`POST /runtimes/{url-encoded ARN}/invocations?qualifier=…`), its checks, the
 * session header, errors the restJson1 way (status, `x-amzn-errortype`, `{"message"}`), and the
 * hooks a test drives a response with. None of them verifies a SigV4 signature (there is no AWS
 * here): none is a security boundary.
 */

/** One call to `InvokeAgentRuntime`, checked. */
export interface Invocation {
  /** The runtime ARN, decoded from the path. */
  arn: string;
  qualifier: string;
  /** The runtime session header, when the caller sent one (checked: 33–256 visible ASCII characters). */
  sessionId: string | undefined;
  /** Whether the request carries a SigV4 Authorization header (the SDK's), not whether it is valid. */
  signed: boolean;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface EmulatorOptions {
  /**
   * The one runtime served, at the one endpoint `DEFAULT`, as AgentCore would: another ARN or
   * qualifier is ResourceNotFoundException. Unset: any of them is served.
   */
  runtimeArn?: string;
  /** Refuse calls without a SigV4 Authorization header (403 AccessDeniedException). Default: true. */
  requireSignature?: boolean;
  /** Serves one checked call; a throw before the response started is answered 500. */
  invoke(call: Invocation): void | Promise<void>;
}

/** An error the way the AgentCore data plane (restJson1) answers one. */
export function sendError(
  res: ServerResponse,
  status: number,
  type: string | undefined,
  message: string,
  contentType = 'application/json',
): void {
  res.writeHead(status, { 'content-type': contentType, ...(type ? { 'x-amzn-errortype': type } : {}) });
  res.end(contentType === 'application/json' ? JSON.stringify({ message }) : message);
}

/** A request that cannot be taken as sent: answered 400 ValidationException, as AgentCore answers one. */
class InvalidRequest extends Error {}

const ROUTE = /^\/runtimes\/([^/]+)\/invocations$/;
/** AgentCore's limits on an endpoint name and a runtime session id. */
const QUALIFIER = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const SESSION_ID = /^[\x21-\x7e]{33,256}$/;

function decodeArn(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidRequest('The runtime ARN in the path is not valid percent-encoding');
  }
}

/**
 * An HTTP server for the data plane's invocation route, plus `GET /ping`. Whatever a request
 * holds, it gets an answer: nothing it sends may take the process down.
 */
export function createAgentCoreEmulator({ runtimeArn, requireSignature = true, invoke }: EmulatorOptions): Server {
  const serve = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://agentcore');
    } catch {
      throw new InvalidRequest('The request target is not a valid URL');
    }
    if (req.method === 'GET' && url.pathname === '/ping') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Healthy"}');
      return;
    }
    const route = ROUTE.exec(url.pathname);
    if (!route || req.method !== 'POST')
      return sendError(res, 404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`);
    const arn = decodeArn(route[1]!);
    const qualifier = url.searchParams.get('qualifier') ?? 'DEFAULT';
    if (!QUALIFIER.test(qualifier)) throw new InvalidRequest('The qualifier is not a valid endpoint name');
    if (runtimeArn !== undefined && arn !== runtimeArn)
      return sendError(res, 404, 'ResourceNotFoundException', 'No agent runtime with that ARN');
    if (runtimeArn !== undefined && qualifier !== 'DEFAULT')
      return sendError(res, 404, 'ResourceNotFoundException', `No endpoint named ${qualifier}`);
    const signed = req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ') ?? false;
    if (requireSignature && !signed)
      return sendError(res, 403, 'AccessDeniedException', 'The request is not signed with SigV4');
    const sessionId = req.headers[RUNTIME_SESSION_HEADER];
    if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
      throw new InvalidRequest('The runtime session id must be 33 to 256 visible ASCII characters');
    }
    return invoke({ arn, qualifier, sessionId, signed, req, res });
  };
  const fail = (res: ServerResponse, error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof InvalidRequest) sendError(res, 400, 'ValidationException', error.message);
    else sendError(res, 500, 'InternalServerException', 'The local AgentCore failed on this request');
  };
  return createServer((req, res) => {
    try {
      const served = serve(req, res);
      if (served) served.catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  });
}

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on loopback unless `host` says otherwise (port 0: any free port). */
export function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<Listening> {
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`,
        server,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * The hooks a fault-injecting script drives a response with: open the stream, write Wire 1 events
 * or raw bytes (waiting while the socket is full, as a real runtime is backpressured), end it,
 * answer an error, or reset the connection.
 */
export interface ResponseHooks {
  /** 200 text/event-stream, headers flushed. */
  open(): void;
  /** Writes one Wire 1 event; false if the client left. */
  event(name: string, data: unknown): Promise<boolean>;
  /** Writes raw bytes, honouring backpressure like `event`. */
  raw(bytes: string | Buffer): Promise<boolean>;
  end(): void;
  /** A restJson1 error answer, as AgentCore sends one. */
  fail(status: number, errorType: string | undefined, message?: string, contentType?: string): void;
  /** Drops the TCP connection with a RST. */
  reset(): void;
  /** Bytes of response body written so far (accepted by the socket). */
  readonly bytesWritten: number;
}

export function responseHooks(req: IncomingMessage, res: ServerResponse): ResponseHooks {
  let bytesWritten = 0;
  const raw = async (bytes: string | Buffer): Promise<boolean> => {
    if (res.destroyed || res.writableEnded) return false;
    const ok = res.write(bytes);
    bytesWritten += Buffer.byteLength(bytes);
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    return !res.destroyed;
  };
  return {
    open() {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    },
    event: (name, data) => raw(sseFrame(name, data)),
    raw,
    end() {
      if (!res.writableEnded) res.end();
    },
    fail(status, errorType, message = 'error', contentType = 'application/json') {
      sendError(res, status, errorType, message, contentType);
    },
    reset() {
      req.socket.resetAndDestroy();
    },
    get bytesWritten() {
      return bytesWritten;
    },
  };
}
