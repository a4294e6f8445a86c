import {
  BedrockAgentCoreClient,
  type BedrockAgentCoreClientConfig,
  InvokeAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import type { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AgentEvent, AgentEventName } from '../../protocol/agent-events.ts';
import type { ServerConfig } from './config.ts';
import { type SseMessage, SseParser } from './sse-parse.ts';

export interface InvokeRequest {
  prompt: string;
  runtimeSessionId: string;
  /** Aborts the AgentCore call at once, whatever it is waiting for; the call then throws `signal.reason`. */
  signal: AbortSignal;
  /** Called whenever upstream bytes arrive, keep-alive comments included: the agent is still there. */
  onActivity?: () => void;
}

/**
 * Runs the agent once and yields its Wire 1 events as they arrive, in batches: each batch holds
 * the events that one upstream chunk completed. A token stream under load packs many events into
 * a chunk, and handling them together costs one async step and one socket write, not one each.
 */
export type AgentInvoker = (request: InvokeRequest) => AsyncIterable<AgentEvent[]>;

/** Raised when the upstream stream is not valid Wire 1. */
export class MalformedUpstreamError extends Error {
  override name = 'MalformedUpstreamError';
}

/** Raised when the runtime itself reports a failure mid-stream (`bedrock-agentcore`'s `error` event). */
export class AgentRuntimeError extends Error {
  override name = 'AgentRuntimeError';
}

/**
 * The largest Wire 1 event the BFF will hold while it arrives. Tokens are bytes; a tool result is
 * the big one. Past this the upstream is broken or hostile, and the run fails instead of the BFF
 * buffering without end.
 */
export const MAX_UPSTREAM_EVENT_BYTES = 1024 * 1024;

/** The string fields each Wire 1 event must carry for the browser event made from it. */
const REQUIRED_STRINGS: Record<AgentEventName, readonly string[]> = {
  AGENT_START: [],
  LLM_TOKEN: ['delta'],
  TOOL_CALL: ['id', 'tool'],
  TOOL_RESULT: ['id', 'tool'],
  LLM_RESPONSE: ['content'],
  AGENT_ERROR: ['code', 'message'],
  AGENT_END: [],
};

function isAgentEventName(name: string): name is AgentEventName {
  return Object.hasOwn(REQUIRED_STRINGS, name);
}

/** One SSE message as a checked Wire 1 event; `undefined` for events this BFF does not know. */
function toAgentEvent({ event, data }: SseMessage): AgentEvent | undefined {
  if (!isAgentEventName(event)) {
    if (event === 'error') throw new AgentRuntimeError('The agent runtime reported an error mid-stream');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedUpstreamError(`Upstream ${event} event is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new MalformedUpstreamError(`Upstream ${event} event is not an object`);
  const fields = parsed as Record<string, unknown>;
  for (const name of REQUIRED_STRINGS[event]) {
    if (typeof fields[name] !== 'string') throw new MalformedUpstreamError(`Upstream ${event} event has no string "${name}"`);
  }
  if (event === 'TOOL_CALL' && (typeof fields.args !== 'object' || fields.args === null)) {
    throw new MalformedUpstreamError('Upstream TOOL_CALL event has no "args" object');
  }
  if (event === 'TOOL_RESULT' && typeof fields.result !== 'string' && typeof fields.error !== 'string') {
    throw new MalformedUpstreamError('Upstream TOOL_RESULT event has neither "result" nor "error"');
  }
  return { event, data: parsed } as AgentEvent;
}

const NO_EVENTS: { events: AgentEvent[] } = Object.freeze({ events: Object.freeze([]) as unknown as AgentEvent[] });

/**
 * The checked Wire 1 events among `messages`, up to the first malformed one (whose error comes
 * with them): the events before it arrived intact and still reach the browser.
 */
function toAgentEvents(messages: readonly SseMessage[]): { events: AgentEvent[]; error?: unknown } {
  if (messages.length === 0) return NO_EVENTS;
  const events: AgentEvent[] = [];
  for (const message of messages) {
    try {
      const event = toAgentEvent(message);
      if (event) events.push(event);
    } catch (error) {
      return { events, error };
    }
  }
  return { events };
}

/**
 * Each run's abort signal, keyed by its command's input and then by the HTTP request made from
 * it, where the handler below finds it. `send(command, { abortSignal })` would be simpler, but a
 * `send()` with options rebuilds the client's whole middleware stack on every call, while one
 * without reuses it (`cacheMiddleware`): about 30% of the SDK's CPU time per call, measured here.
 */
const runSignals = new WeakMap<object, AbortSignal>();

class RunAbortingHttpHandler extends NodeHttpHandler {
  override handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    return super.handle(request, { ...options, abortSignal: runSignals.get(request) ?? options?.abortSignal });
  }
}

/** `overrides` is for what the environment does not say, such as explicit credentials in tests. */
export function createAgentCoreClient(
  config: Pick<ServerConfig, 'region' | 'agentcoreEndpoint'>,
  overrides: BedrockAgentCoreClientConfig = {},
): BedrockAgentCoreClient {
  const client = new BedrockAgentCoreClient({
    region: config.region,
    ...(config.agentcoreEndpoint ? { endpoint: config.agentcoreEndpoint } : {}),
    ...overrides,
    // Not overridable: runs are aborted through this handler (see runSignals). Every open chat holds one upstream connection for its whole run: the SDK's default pool of
    // 50 sockets would queue the 51st chat behind the others.
    requestHandler: new RunAbortingHttpHandler({
      httpAgent: { maxSockets: Number.POSITIVE_INFINITY },
      httpsAgent: { maxSockets: Number.POSITIVE_INFINITY },
    }),
    cacheMiddleware: true,
    // A retried InvokeAgentRuntime would run the agent a second time: exactly one attempt.
    maxAttempts: 1,
  });
  // Deserialize is the innermost step, after signing: hand the run's signal from the command
  // input to the HTTP request that the handler will be given.
  client.middlewareStack.add(
    (next) => (args) => {
      const signal = runSignals.get(args.input as object);
      if (signal) runSignals.set(args.request as object, signal);
      return next(args);
    },
    { step: 'deserialize', name: 'runAbortSignal' },
  );
  return client;
}

/**
 * Invokes the AgentCore runtime through the AWS SDK and parses its SSE response incrementally:
 * each Wire 1 event is yielded the moment the chunk completing it arrives. Reading is pull-based,
 * so a consumer that stops pulling (a slow browser) stops the socket reads and backpressures the
 * runtime through TCP.
 */
export function agentCoreInvoker(
  client: BedrockAgentCoreClient,
  config: Pick<ServerConfig, 'runtimeArn' | 'qualifier'>,
): AgentInvoker {
  return async function* invoke({ prompt, runtimeSessionId, signal, onActivity }) {
    let body: Readable | undefined;
    let ended = false;
    try {
      // The SDK tears the connection down on abort, before and after the response headers alike.
      const command = new InvokeAgentRuntimeCommand({
        agentRuntimeArn: config.runtimeArn,
        qualifier: config.qualifier,
        runtimeSessionId,
        // Without both, bedrock-agentcore answers 415 / 406.
        contentType: 'application/json',
        accept: 'text/event-stream',
        payload: new TextEncoder().encode(JSON.stringify({ prompt })),
      });
      runSignals.set(command.input, signal);
      const response = await client.send(command);
      // On Node the SDK hands over the HTTP response itself.
      body = response.response as unknown as Readable | undefined;
      if (!body) throw new MalformedUpstreamError('AgentCore answered without a body');
      const parser = new SseParser(MAX_UPSTREAM_EVENT_BYTES);
      for await (const chunk of body.iterator({ destroyOnReturn: false })) {
        onActivity?.();
        const { events, error } = toAgentEvents(parser.feed(chunk as Uint8Array));
        // Before the yield: the consumer stops pulling once it sees AGENT_END.
        if (events.some((e) => e.event === 'AGENT_END')) ended = true;
        if (events.length) yield events;
        if (error) throw error;
      }
      const { events, error } = toAgentEvents(parser.end());
      if (events.length) yield events;
      if (error) throw error;
    } catch (error) {
      // An aborted call fails with whatever the socket saw ("aborted", ECONNRESET): the reason it was aborted is the truth.
      throw signal.aborted ? signal.reason : error;
    } finally {
      if (body && !body.readableEnded) release(body, ended);
    }
  };
}

/**
 * Lets go of a response the run no longer reads. After AGENT_END it is as good as over: its last
 * bytes are let in so the keep-alive connection goes back to the SDK's pool for the next run (no
 * new TLS handshake); one that does not end promptly, or any other, is dropped — nothing is left
 * half read.
 */
function release(body: Readable, afterAgentEnd: boolean): void {
  if (!afterAgentEnd) {
    body.destroy();
    return;
  }
  const timer = setTimeout(() => body.destroy(), 1000);
  timer.unref();
  body.once('close', () => clearTimeout(timer)).resume();
}
