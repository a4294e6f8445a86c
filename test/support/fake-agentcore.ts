import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AgentEventName } from '../../protocol/agent-events.ts';
import { dataFrame, sseFrame } from '../../protocol/sse.ts';
import {
  type Invocation,
  type ResponseHooks,
  createAgentCoreEmulator,
  responseHooks,
} from '../../dev/agentcore/emulator.ts';
import { waitFor } from './wait.ts';

/**
 * A fault-injecting stand-in for the Bedrock AgentCore data plane, for tests only, on the emulator
 * core the local gateway uses too (dev/agentcore/emulator.ts), so the real SDK client runs against
 * it unchanged. Each call follows a script the test chooses: a normal answer, or a stall, a drip,
 * a reset, garbage, a huge event, a 4xx/5xx…
 */

/** The error messages carry what must never reach a browser: an ARN, an account id, a request id. */
export const LEAKY_DETAIL =
  'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/secret_agent-AbCdEf1234 (request 1f2e3d4c-0000-4bad-beef-001122334455)';

export interface UpstreamCall extends Omit<ResponseHooks, 'event'> {
  /** The runtime ARN, decoded from the path. */
  arn: string;
  qualifier: string;
  runtimeSessionId: string | undefined;
  /** The JSON payload the SDK sent. */
  payload: unknown;
  /** The payload's bytes, as they arrived. */
  body: Buffer;
  /** performance.now() when the client tore the call down before its response finished. */
  abortedAt: number | undefined;
  /** Resolves with abortedAt; never resolves for a call that finished normally. */
  aborted: Promise<number>;
  req: IncomingMessage;
  res: ServerResponse;
  /** Writes one Wire 1 event; waits while the socket is full (honours backpressure) — false if the client left. */
  event(name: AgentEventName | string, data: unknown): Promise<boolean>;
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

/** A normal run at a model's pace: one word every `everyMs`. */
export function slowAnswer(words: number, everyMs: number): Script {
  return async (call) => {
    call.open();
    await call.event('AGENT_START', { timestamp: now(), session_id: call.runtimeSessionId });
    let text = '';
    for (let i = 1; i <= words; i++) {
      await pause(everyMs);
      if (!(await call.event('LLM_TOKEN', { timestamp: now(), delta: `w${i} ` }))) return;
      text += `w${i} `;
    }
    await call.event('LLM_RESPONSE', { timestamp: now(), content: text });
    await call.event('AGENT_END', { timestamp: now(), output: text });
    call.end();
  };
}

/** The bytes of a whole normal run, for scripts that deliver them in odd ways. */
export function answerBytes(text: string, sessionId = 's'): string {
  const frame = (event: AgentEventName, data: unknown) => sseFrame(event, data);
  return (
    frame('AGENT_START', { timestamp: now(), session_id: sessionId }) +
    (text.match(/\S+\s*/g) ?? []).map((delta) => frame('LLM_TOKEN', { timestamp: now(), delta })).join('') +
    frame('LLM_RESPONSE', { timestamp: now(), content: text }) +
    frame('AGENT_END', { timestamp: now(), output: text })
  );
}

/**
 * An AG-UI answer (an AGUI runtime's): each event on a `data:` line as @ag-ui/encoder writes it,
 * with `then` deciding how the response ends (by default it just ends).
 */
export function agUiAnswer(
  events: Array<Record<string, unknown>> | ((call: UpstreamCall) => Array<Record<string, unknown>>),
  then: (call: UpstreamCall) => void | Promise<void> = (call) => call.end(),
): Script {
  return async (call) => {
    call.open();
    for (const event of typeof events === 'function' ? events(call) : events) {
      if (!(await call.raw(dataFrame(JSON.stringify({ ...event, timestamp: Date.now() }))))) return;
    }
    await then(call);
  };
}

/** An AG-UI run at a model's pace: RUN_STARTED, one word (`w1 `, `w2 `…) every `everyMs` as TEXT_MESSAGE_CONTENT, RUN_FINISHED. */
export function agUiSlowAnswer(words: number, everyMs: number): Script {
  return async (call) => {
    const { threadId, runId } = call.payload as { threadId: string; runId: string };
    const send = (event: Record<string, unknown>) => call.raw(dataFrame(JSON.stringify(event)));
    call.open();
    await send({ type: 'RUN_STARTED', threadId, runId });
    await send({ type: 'TEXT_MESSAGE_START', messageId: 'm', role: 'assistant' });
    for (let i = 1; i <= words; i++) {
      await pause(everyMs);
      if (!(await send({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: `w${i} ` }))) return;
    }
    await send({ type: 'TEXT_MESSAGE_END', messageId: 'm' });
    await send({ type: 'RUN_FINISHED', threadId, runId });
    call.end();
  };
}

/** An AG-UI run that sends RUN_STARTED, then nothing, ever (until the client leaves). */
export const agUiStallAfterStart: Script = async (call) => {
  const { threadId, runId } = call.payload as { threadId: string; runId: string };
  call.open();
  await call.raw(dataFrame(JSON.stringify({ type: 'RUN_STARTED', threadId, runId })));
};

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
export function failWith(
  status: number,
  errorType: string | undefined,
  message = `Denied for ${LEAKY_DETAIL}`,
  contentType?: string,
): Script {
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

function makeCall({ req, res, arn, qualifier, sessionId }: Invocation, body: Buffer, payload: unknown): UpstreamCall {
  let markAborted!: (at: number) => void;
  const hooks = responseHooks(req, res);
  const call: UpstreamCall = {
    arn,
    qualifier,
    runtimeSessionId: sessionId,
    payload,
    body,
    abortedAt: undefined,
    aborted: new Promise((resolve) => (markAborted = resolve)),
    get bytesWritten() {
      return hooks.bytesWritten;
    },
    req,
    res,
    open: hooks.open,
    event: hooks.event,
    raw: hooks.raw,
    end: hooks.end,
    fail: hooks.fail,
    reset: hooks.reset,
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
  const server = createAgentCoreEmulator({
    invoke: (invocation) => {
      const chunks: Buffer[] = [];
      invocation.req.on('data', (c: Buffer) => chunks.push(c));
      invocation.req.on('end', () => {
        const body = Buffer.concat(chunks);
        let payload: unknown;
        try {
          payload = JSON.parse(body.toString());
        } catch {
          payload = undefined;
        }
        const call = makeCall(invocation, body, payload);
        calls.push(call);
        const script = queue.shift() ?? answer();
        Promise.resolve(script(call)).catch(() => invocation.res.destroy());
      });
    },
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
