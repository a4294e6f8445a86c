import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';
import type { FastifyInstance } from 'fastify';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { runAgent } from './agent-events.ts';
import type { AgentGraph } from './graph.ts';

/** What the handler needs to know about its HTTP request, which the SDK does not pass it. */
interface RequestScope {
  /** Aborted when the caller's connection closes before the response finished. */
  signal: AbortSignal;
  /** The caller asked for SSE; otherwise it gets `{"output": …}` as JSON. */
  wantsStream: boolean;
}

export interface RuntimeOptions {
  graph: AgentGraph;
  /** Fastify request logging (on in production, off in tests). */
  logging?: boolean;
}

export interface RunningRuntime {
  url: string;
  close(): Promise<void>;
}

/** Reads the prompt from `{"prompt": …}` (AgentCore's convention) or `{"message": …}`. */
export function promptOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { prompt, message } = payload as { prompt?: unknown; message?: unknown };
  const text = typeof prompt === 'string' ? prompt : typeof message === 'string' ? message : undefined;
  return text?.trim() ? text : undefined;
}

/**
 * The agent served on the AgentCore runtime contract by AWS's `BedrockAgentCoreApp`:
 * `POST /invocations` (SSE of Wire 1 events, or JSON `{"output"}`) and `GET /ping`.
 */
export function createRuntime({ graph, logging = true }: RuntimeOptions) {
  const scope = new AsyncLocalStorage<RequestScope>();

  const app = new BedrockAgentCoreApp({
    config: { logging: { enabled: logging } },
    invocationHandler: {
      process: (payload, context) => {
        const { signal, wantsStream } = scope.getStore() ?? { signal: new AbortController().signal, wantsStream: true };
        const events = runAgent(graph, { prompt: promptOf(payload), sessionId: context.sessionId, signal });
        return wantsStream ? events : collectOutput(events);
      },
    },
  });

  // bedrock-agentcore 0.4.4 hands the handler neither the Accept header nor a way to learn that the
  // caller hung up, and `run()` returns no server handle. Its Fastify instance gives both, through
  // public Fastify hooks: the request scope is entered once the body is parsed (so it survives into
  // the handler), and `onListen` tells us the port.
  const fastify = (app as unknown as { _app: FastifyInstance })._app;
  fastify.addHook('preHandler', (request, reply, done) => {
    const controller = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('The caller closed the connection'));
    });
    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    scope.run({ signal: controller.signal, wantsStream }, done);
  });

  return {
    app,
    /** Starts listening; port 0 picks a free port. */
    listen(port: number, host = '0.0.0.0'): Promise<RunningRuntime> {
      return new Promise((resolve) => {
        fastify.addHook('onListen', (done) => {
          const { port: bound } = fastify.server.address() as AddressInfo;
          resolve({ url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`, close: () => fastify.close() });
          done();
        });
        app.run({ port, host });
      });
    },
  };
}

/** The non-streaming answer: the run's final output. */
async function collectOutput(events: AsyncGenerator<AgentEvent>): Promise<{ output: string }> {
  let output = '';
  for await (const e of events) if (e.event === 'AGENT_END') output = e.data.output;
  return { output };
}
