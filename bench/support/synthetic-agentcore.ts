/**
 * A synthetic AgentCore endpoint, run as its own process by the benchmarks: it serves the data
 * plane's invocation route on the emulator core (dev/agentcore/emulator.ts) and plays the
 * `StreamScript` found in the prompt as Wire 1 SSE, each token stamped with its send time. It does no
 * other work, so everything measured downstream of it is the relay's. It tells the bench, over IPC,
 * how many invocations are open (and were at most), and releases held streams on request.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgentCoreEmulator } from '../../dev/agentcore/emulator.ts';
import type { AgentEventData, AgentEventName } from '../../protocol/agent-events.ts';
import { RUNTIME_SESSION_HEADER } from '../../protocol/agent-request.ts';
import { sseFrame } from '../../protocol/sse.ts';
import { answerIpc } from './ipc.ts';
import { LAST_TOKEN, type StreamScript, stampedDelta } from './stream-script.ts';

/** A token's text: about what a model's token plus its share of JSON framing weighs. */
const TOKEN_TEXT = 'lorem ipsum';

let open = 0;
let maxOpen = 0;
/**
 * TCP connections, by whether their first request was SigV4-signed (the BFF's SDK) or not (the
 * byte pipe, direct clients): a relay that reuses its connections opens few.
 */
const connections = { signed: 0, unsigned: 0 };
const counted = new WeakSet<object>();
/** Held and gated streams wait on this; `release` (over IPC) lets them all go, `rearm` resets it. */
let isReleased = false;
let release!: () => void;
let released = new Promise<void>((resolve) => (release = resolve));

function frame<K extends AgentEventName>(event: K, data: Omit<AgentEventData[K], 'timestamp'>): string {
  return sseFrame(event, { timestamp: new Date().toISOString(), ...data });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body);
}

async function play(script: StreamScript, res: ServerResponse, sessionId: string): Promise<void> {
  const closed = () => res.destroyed || res.writableEnded;
  res.write(frame('AGENT_START', { session_id: sessionId }));
  if (script.startOnRelease) await released;
  if (script.offsetMs) await sleep(script.offsetMs);
  if (script.hold) {
    let seq = 0;
    while (!closed()) {
      await Promise.race([sleep(script.intervalMs), released]);
      if (isReleased) break;
      res.write(frame('LLM_TOKEN', { delta: stampedDelta(script.stream, ++seq, TOKEN_TEXT) }));
    }
    res.write(frame('LLM_TOKEN', { delta: stampedDelta(script.stream, ++seq, LAST_TOKEN) }));
  } else if (script.intervalMs > 0) {
    // Each token is due at a fixed time, so timer lateness does not pile up along the stream.
    const start = performance.now();
    for (let seq = 1; seq <= script.tokens && !closed(); seq++) {
      res.write(frame('LLM_TOKEN', { delta: stampedDelta(script.stream, seq, TOKEN_TEXT) }));
      const wait = start + seq * script.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
  } else {
    for (let seq = 1; seq <= script.tokens && !closed(); seq++) {
      if (!res.write(frame('LLM_TOKEN', { delta: stampedDelta(script.stream, seq, TOKEN_TEXT) })))
        await once(res, 'drain');
      // Let the other streams have their turn: a real runtime serves many at once.
      else if (seq % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (!closed()) res.end(frame('AGENT_END', { output: '' }));
}

// Any runtime, signed or not: the byte pipe and direct clients call it too.
const server = createAgentCoreEmulator({
  requireSignature: false,
  async invoke({ req, res, signed, sessionId = '' }) {
    if (!counted.has(req.socket)) {
      counted.add(req.socket);
      connections[signed ? 'signed' : 'unsigned']++;
    }
    const { prompt } = (await readJson(req)) as { prompt: string };
    const script = JSON.parse(prompt) as StreamScript;
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    res.writeHead(200, { 'content-type': 'text/event-stream', [RUNTIME_SESSION_HEADER]: sessionId });
    await play(script, res, sessionId);
  },
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  answerIpc({
    stats: () => ({ open, maxOpen, connections }),
    'reset-stats': () => {
      maxOpen = open;
      connections.signed = connections.unsigned = 0;
    },
    release: () => {
      isReleased = true;
      release();
    },
    rearm: () => {
      isReleased = false;
      released = new Promise<void>((resolve) => (release = resolve));
    },
  });
  process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
