import { type Http2ServerResponse, type Http2Session, type IncomingHttpHeaders, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/**
 * A local stand-in for Amazon Bedrock Runtime's ConverseStream (`POST /model/{modelId}/converse-stream`),
 * for the one edge the tests cannot reach: it answers in Bedrock's wire format, AWS event-stream
 * frames of JSON events, over HTTP/2 as the SDK's Bedrock client speaks it (cleartext here), so
 * the real AWS SDK and ChatBedrockConverse run unchanged against it.
 */

/** One event-stream frame: an event (`messageStart`, `contentBlockDelta`, …) or a modeled exception. */
export type Frame = { event: string; body: object } | { exception: string; body: object };

/** What the server answers to one call. */
export type Reply =
  | { frames: Frame[] }
  /** Frames made one by one every `intervalMs`, until the caller goes away. */
  | { endless: (i: number) => Frame; intervalMs: number }
  /** An HTTP error as Bedrock sends it (x-amzn-errortype names the exception). */
  | { status: number; errorType: string; message: string };

/** The parts of a ConverseStream request body the tests look at. */
export interface ConverseRequest {
  messages: Array<{ role: 'user' | 'assistant'; content: object[] }>;
  system?: Array<{ text?: string }>;
  toolConfig?: { tools: Array<{ toolSpec?: { name: string } }> };
}

export interface RecordedCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: ConverseRequest;
}

export interface FakeBedrock {
  url: string;
  calls: RecordedCall[];
  /** Streams the caller dropped before they were complete. */
  dropped: number;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function encode(frame: Frame): Uint8Array {
  const type =
    'event' in frame
      ? { ':event-type': frame.event, ':message-type': 'event' }
      : { ':exception-type': frame.exception, ':message-type': 'exception' };
  const headers = Object.fromEntries(
    Object.entries({ ...type, ':content-type': 'application/json' }).map(([k, v]) => [
      k,
      { type: 'string' as const, value: v },
    ]),
  );
  return codec.encode({ headers, body: new TextEncoder().encode(JSON.stringify(frame.body)) });
}

const usage = {
  event: 'metadata',
  body: { usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 }, metrics: { latencyMs: 100 } },
};

/** A turn in which the model asks for one tool, its JSON input arriving in `inputParts`. */
export function toolUseTurn(toolUseId: string, name: string, inputParts: string[]): Frame[] {
  return [
    { event: 'messageStart', body: { role: 'assistant' } },
    { event: 'contentBlockStart', body: { contentBlockIndex: 0, start: { toolUse: { toolUseId, name } } } },
    ...inputParts.map((input) => ({
      event: 'contentBlockDelta',
      body: { contentBlockIndex: 0, delta: { toolUse: { input } } },
    })),
    { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
    { event: 'messageStop', body: { stopReason: 'tool_use' } },
    usage,
  ];
}

/** A turn in which the model answers in text, one delta per part. */
export function textTurn(parts: string[]): Frame[] {
  return [
    { event: 'messageStart', body: { role: 'assistant' } },
    ...textDeltas(parts),
    { event: 'contentBlockStop', body: { contentBlockIndex: 0 } },
    { event: 'messageStop', body: { stopReason: 'end_turn' } },
    usage,
  ];
}

export function textDeltas(parts: string[]): Frame[] {
  return parts.map((text) => ({ event: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } }));
}

/** Serves `reply(call, n)` for the n-th call (from 1). */
export async function startFakeBedrock(reply: (call: RecordedCall, n: number) => Reply): Promise<FakeBedrock> {
  const calls: RecordedCall[] = [];
  const fake = { url: '', calls, dropped: 0, close: async () => {} };

  const respond = (res: Http2ServerResponse, answer: Reply) => {
    if ('status' in answer) {
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'x-amzn-errortype': `${answer.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
      res.end(JSON.stringify({ message: answer.message }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': crypto.randomUUID(),
    });
    if ('frames' in answer) {
      for (const frame of answer.frames) res.write(encode(frame));
      res.end();
      return;
    }
    let i = 0;
    const timer = setInterval(() => res.write(encode(answer.endless(i++))), answer.intervalMs);
    // An endless stream only ever ends because the caller went away.
    res.on('close', () => {
      clearInterval(timer);
      fake.dropped++;
    });
  };

  const sessions = new Set<Http2Session>();
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const call: RecordedCall = {
      path: decodeURIComponent(req.url ?? ''),
      headers: req.headers,
      body: JSON.parse(raw || 'null'),
    };
    calls.push(call);
    if (req.method !== 'POST' || !/^\/model\/[^/]+\/converse-stream$/.test(call.path)) {
      respond(res, { status: 404, errorType: 'UnknownOperationException', message: `No ${req.method} ${call.path}` });
      return;
    }
    respond(res, reply(call, calls.length));
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return fake;
}
