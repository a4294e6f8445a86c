import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AgentEventName } from '../../protocol/agent-events.ts';
import { waitFor } from './wait.ts';

/**
 * A fault-injecting stand-in for the Bedrock AgentCore data plane, for tests only. It speaks the
 * route the AWS SDK calls — `POST /runtimes/{url-encoded ARN}/invocations?qualifier=…`, SigV4
 * signed — and answers errors the restJson1 way (status, `x-amzn-errortype`, `{"message"}`), so
 * the real SDK client runs against it unchanged. Each call follows a script the test chooses:
 * a normal answer, or a stall, a drip, a reset, garbage, a huge event, a 4xx/5xx…
 */

/** The error messages carry what must never reach a browser: an ARN, an account id, a request id. */
export const LEAKY_DETAIL = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/secret_agent-AbCdEf1234 (request 1f2e3d4c-0000-4bad-beef-001122334455)';

export interface UpstreamCall {
  /** The runtime ARN, decoded from the path. */
  arn: string;
  qualifier: string | null;
  runtimeSessionId: string | undefined;
  /** The JSON payload the SDK sent. */
  payload: unknown;
  /** performance.now() when the client tore the call down before its response finished. */
  abortedAt: number | undefined;
  /** Resolves with abortedAt; never resolves for a call that finished normally. */
  aborted: Promise<number>;
  /** Bytes of response body written so far (accepted by the socket). */
  bytesWritten: number;
  req: IncomingMessage;
  res: ServerResponse;
  /** 200 text/event-stream, headers flushed. */
  open(): void;
  /** Writes one Wire 1 event; waits while the socket is full (honours backpressure) — false if the client left. */
  event(name: AgentEventName | string, data: unknown): Promise<boolean>;
  /** Writes raw bytes, honouring backpressure like `event`. */
  raw(bytes: string | Buffer): Promise<boolean>;
  end(): void;
  /** A restJson1 error answer, as AgentCore sends one. */
  fail(status: number, errorType: string | undefined, message?: string, contentType?: string): void;
  /** Drops the TCP connection with a RST. */
  reset(): void;
}

export type Script = (call: UpstreamCall) => void | Promise<void>;

const now = () => new Date().toISOString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A normal run: AGENT_START, one LLM_TOKEN per word, LLM_RESPONSE, AGENT_END. */
export function answer(text = 'The answer is 42.'): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    for (const delta of text.match(/\S+\s*/g) ?? []) await call.event('LLM_TOKEN', { timestamp: now(), delta });
    await call.event('LLM_RESPONSE', { timestamp: now(), content: text });
    await call.event('AGENT_END', { timestamp: now(), output: text });
    call.end();
  };
}

/** The bytes of a whole normal run, for scripts that deliver them in odd ways. */
export function answerBytes(text: string, sessionId = 's'): string {
  const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  return (
    frame('AGENT_START', { timestamp: now(), session_id: sessionId }) +
    (text.match(/\S+\s*/g) ?? []).map((delta) => frame('LLM_TOKEN', { timestamp: now(), delta })).join('') +
    frame('LLM_RESPONSE', { timestamp: now(), content: text }) +
    frame('AGENT_END', { timestamp: now(), output: text })
  );
}

/** Opens the stream, sends AGENT_START, then nothing, ever (until the client leaves). */
export const stallAfterStart: Script = async (call) => {
  call.open();
  await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
};

/** Never even answers the headers. */
export const stallBeforeHeaders: Script = () => {};

/** Delivers `bytes` a few at a time with a pause in between: a slow but healthy connection. */
export function drip(bytes: string, perTick: number, everyMs: number): Script {
  return async (call) => {
    call.open();
    for (let i = 0; i < bytes.length; i += perTick) {
      if (!(await call.raw(bytes.slice(i, i + perTick)))) return;
      await pause(everyMs);
    }
    call.end();
  };
}

/**
 * Keeps producing tokens of `size` bytes until the client leaves: as fast as the connection takes
 * them, or one every `everyMs` (a model's pace).
 */
export function flood(size = 1024, everyMs = 0): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    const delta = 'x'.repeat(size);
    while (await call.event('LLM_TOKEN', { timestamp: now(), delta })) if (everyMs) await pause(everyMs);
  };
}

/** A few events, then a TCP reset. */
export const resetMidStream: Script = async (call) => {
  call.open();
  await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
  await call.event('LLM_TOKEN', { timestamp: now(), delta: 'Half ' });
  await pause(20);
  call.reset();
};

/** A few events, then a clean end of the response without AGENT_END. */
export const endWithoutAgentEnd: Script = async (call) => {
  call.open();
  await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
  await call.event('LLM_TOKEN', { timestamp: now(), delta: 'Half ' });
  call.end();
};

/** Sends `bytes` after AGENT_START, then holds the stream open (so only the BFF can end it). */
export function garbageAfterStart(bytes: string): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    await call.raw(bytes);
  };
}

/** One event whose data line is `size` bytes and never ends. */
export function hugeEvent(size: number): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    await call.raw(`event: LLM_TOKEN\ndata: {"delta":"${'x'.repeat(size)}`);
  };
}

/** A restJson1 error before any stream. */
export function failWith(status: number, errorType: string | undefined, message = `Denied for ${LEAKY_DETAIL}`, contentType?: string): Script {
  return (call) => call.fail(status, errorType, message, contentType);
}

export interface FakeAgentCore {
  url: string;
  calls: UpstreamCall[];
  /** Scripts for the next calls, in order; after them, calls get a normal `answer()`. */
  next(...scripts: Script[]): void;
  /** Waits until no connection is open (idle keep-alive ones close after `keepAliveMs`); throws after 5 s. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function makeCall(req: IncomingMessage, res: ServerResponse, arn: string, qualifier: string | null, payload: unknown): UpstreamCall {
  let markAborted!: (at: number) => void;
  const call: UpstreamCall = {
    arn,
    qualifier,
    runtimeSessionId: req.headers['x-amzn-bedrock-agentcore-runtime-session-id'] as string | undefined,
    payload,
    abortedAt: undefined,
    aborted: new Promise((resolve) => (markAborted = resolve)),
    bytesWritten: 0,
    req,
    res,
    open() {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    },
    event(name, data) {
      return call.raw(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    async raw(bytes) {
      if (res.destroyed || res.writableEnded) return false;
      const ok = res.write(bytes);
      call.bytesWritten += Buffer.byteLength(bytes);
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
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    fail(status, errorType, message = 'error', contentType = 'application/json') {
      res.writeHead(status, { 'content-type': contentType, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(contentType === 'application/json' ? JSON.stringify({ message }) : message);
    },
    reset() {
      req.socket.resetAndDestroy();
    },
  };
  res.once('close', () => {
    if (!res.writableFinished) {
      call.abortedAt = performance.now();
      markAborted(call.abortedAt);
    }
  });
  return call;
}

/**
 * `keepAliveMs`: how long an idle keep-alive connection stays open. Short by default, so that a
 * connection still open a moment after a test is one the BFF leaked.
 */
export async function startFakeAgentCore({ keepAliveMs = 100 } = {}): Promise<FakeAgentCore> {
  const calls: UpstreamCall[] = [];
  const queue: Script[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = /^\/runtimes\/([^/]+)\/invocations$/.exec(url.pathname);
    if (req.method !== 'POST' || !route) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
      res.end('{"message":"No such operation"}');
      return;
    }
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end('{"message":"Not signed"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        payload = undefined;
      }
      const call = makeCall(req, res, decodeURIComponent(route[1]!), url.searchParams.get('qualifier'), payload);
      calls.push(call);
      const script = queue.shift() ?? answer();
      Promise.resolve(script(call)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = keepAliveMs;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    next: (...scripts) => void queue.push(...scripts),
    settled: () => waitFor(() => sockets.size === 0, 'every upstream connection to close (an open one is a leak)'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
