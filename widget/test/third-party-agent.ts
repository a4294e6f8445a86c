// A minimal AG-UI server that stands in for another vendor's agent: built only from
// @ag-ui/encoder (every event it sends is framed by the official encoder), on another origin
// than the page, with its own CORS. Its full answer uses what the widget must tolerate without
// drawing — steps, reasoning, state snapshots and deltas, a messages snapshot, activity, custom
// and raw events, a text chunk — around the text and the tool call it does draw. A Node test runs
// the official HttpAgent against it, so these streams are valid AG-UI.
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BaseEvent, EventType } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';

/** What the server was sent, per scenario: each RunAgentInput (parsed), the requests' headers, and streams the client left early. */
export interface Received {
  inputs: Array<Record<string, unknown>>;
  headers: IncomingMessage['headers'][];
  aborted: number;
}

export interface ThirdPartyAgent {
  url: string;
  received: Map<string, Received>;
  close(): Promise<void>;
}

type Input = { threadId?: string; runId?: string; messages?: Array<{ role?: string; content?: unknown }> };

/** The text of the input's last user message. */
function question(input: Input): string {
  const last = input.messages?.at(-1);
  return last?.role === 'user' && typeof last.content === 'string' ? last.content : '';
}

const SCENARIOS: Record<string, (input: Input) => BaseEvent[]> = {
  /** Everything, in the order a vendor's agent might send it. */
  full: (input) => {
    const text = question(input);
    return [
      { type: EventType.STEP_STARTED, stepName: 'plan' },
      { type: EventType.REASONING_START, messageId: 'r1' },
      { type: EventType.REASONING_MESSAGE_START, messageId: 'r1', role: 'reasoning' },
      { type: EventType.REASONING_MESSAGE_CONTENT, messageId: 'r1', delta: 'The user wants an echo.' },
      { type: EventType.REASONING_MESSAGE_END, messageId: 'r1' },
      { type: EventType.REASONING_END, messageId: 'r1' },
      { type: EventType.STATE_SNAPSHOT, snapshot: { turns: 1 } },
      { type: EventType.STATE_DELTA, delta: [{ op: 'replace', path: '/turns', value: 2 }] },
      { type: EventType.STEP_FINISHED, stepName: 'plan' },
      { type: EventType.STEP_STARTED, stepName: 'act' },
      { type: EventType.TOOL_CALL_START, toolCallId: 'lookup-1', toolCallName: 'lookup', parentMessageId: 'm1' },
      { type: EventType.TOOL_CALL_ARGS, toolCallId: 'lookup-1', delta: '{"query":' },
      { type: EventType.TOOL_CALL_ARGS, toolCallId: 'lookup-1', delta: `${JSON.stringify(text)}}` },
      { type: EventType.TOOL_CALL_END, toolCallId: 'lookup-1' },
      {
        type: EventType.TOOL_CALL_RESULT,
        messageId: 't1',
        toolCallId: 'lookup-1',
        content: `found ${text}`,
        role: 'tool',
      },
      { type: EventType.ACTIVITY_SNAPSHOT, messageId: 'a1', activityType: 'progress', content: { percent: 50 } },
      { type: EventType.CUSTOM, name: 'vendor-note', value: { shown: false } },
      { type: EventType.RAW, event: { vendor: 'native event' }, source: 'vendor' },
      { type: EventType.STEP_FINISHED, stepName: 'act' },
      { type: EventType.TEXT_MESSAGE_START, messageId: 'm2', role: 'assistant' },
      { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm2', delta: 'You said: ' },
      { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm2', delta: `**${text}**` },
      { type: EventType.TEXT_MESSAGE_END, messageId: 'm2' },
      {
        type: EventType.MESSAGES_SNAPSHOT,
        messages: [{ id: 'm2', role: 'assistant', content: `You said: **${text}**` }],
      },
      { type: EventType.TEXT_MESSAGE_CHUNK, messageId: 'm3', role: 'assistant', delta: 'Anything else?' },
    ];
  },
  /** A pause whose outcome is not what AG-UI says it is (`interrupts` not a list). */
  'bad-outcome': (input) => [
    { type: EventType.TEXT_MESSAGE_START, messageId: 'm1', role: 'assistant' },
    { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm1', delta: 'Half an answer' },
    {
      type: EventType.RUN_FINISHED,
      threadId: input.threadId,
      runId: input.runId,
      outcome: { type: 'interrupt', interrupts: 5 },
    } as BaseEvent,
  ],
  /** The vendor's agent fails after a few words. */
  error: () => [
    { type: EventType.TEXT_MESSAGE_START, messageId: 'm1', role: 'assistant' },
    { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm1', delta: 'Let me' },
    { type: EventType.RUN_ERROR, code: 'VENDOR_OVERLOADED', message: 'The vendor agent is overloaded.' },
  ],
};

/** Scenarios that end their stream some other way than the run's last event. */
const ENDINGS: Record<string, 'hold' | 'cut' | 'garbage'> = { hold: 'hold', cut: 'cut', garbage: 'garbage' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type, authorization',
};

/** Listens on a free port of 127.0.0.1: `POST /agent/<scenario>` answers AG-UI, `GET /received/<scenario>` says what came in. */
export async function startThirdPartyAgent(): Promise<ThirdPartyAgent> {
  const received = new Map<string, Received>();
  const encoder = new EventEncoder();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const [, route, name = ''] = url.pathname.split('/');
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    if (req.method === 'GET' && route === 'received') {
      res.writeHead(200, { ...CORS, 'content-type': 'application/json' });
      return void res.end(JSON.stringify(received.get(name) ?? { inputs: [], headers: [], aborted: 0 }));
    }
    if (req.method !== 'POST' || route !== 'agent') return void res.writeHead(404, CORS).end();
    const seen = received.get(name) ?? { inputs: [], headers: [], aborted: 0 };
    received.set(name, seen);
    const input = JSON.parse(await readBody(req)) as Input & Record<string, unknown>;
    seen.inputs.push(input);
    seen.headers.push(req.headers);
    if (name === 'html-500') {
      res.writeHead(500, { ...CORS, 'content-type': 'text/html' });
      return void res.end('<h1>Internal Server Error</h1>');
    }
    const ending = ENDINGS[name];
    const middle = SCENARIOS[name]?.(input) ?? [
      { type: EventType.TEXT_MESSAGE_START, messageId: 'm1', role: 'assistant' },
      { type: EventType.TEXT_MESSAGE_CONTENT, messageId: 'm1', delta: 'Half an answer' },
    ];
    const events: BaseEvent[] = [
      { type: EventType.RUN_STARTED, threadId: input.threadId, runId: input.runId } as BaseEvent,
      ...middle,
    ];
    const last = middle.at(-1)?.type;
    if (!ending && last !== EventType.RUN_ERROR && last !== EventType.RUN_FINISHED)
      events.push({ type: EventType.RUN_FINISHED, threadId: input.threadId, runId: input.runId } as BaseEvent);
    let finished = false;
    res.on('close', () => {
      if (!finished) seen.aborted++;
    });
    res.writeHead(200, { ...CORS, 'content-type': encoder.getContentType() });
    for (const event of events) {
      if (res.destroyed) return;
      res.write(encoder.encodeSSE({ ...event, timestamp: Date.now() }));
      await sleep(5);
    }
    if (ending === 'hold') for (let i = 0; i < 200 && !res.destroyed; i++) await sleep(50);
    if (ending === 'garbage') res.write('data: {"type": "TEXT_MESSAGE_CONTENT", "delta": \n\n');
    finished = true;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
