import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { BedrockAgentCoreApp } from 'bedrock-agentcore/runtime';
import type { FastifyInstance } from 'fastify';
import { AGENT_ERRORS, isAgentErrorCode } from '../../protocol/agent-errors.ts';
import type { AgentEvent, AgentInterrupt } from '../../protocol/agent-events.ts';
import { RUNTIME_SESSION_HEADER } from '../../protocol/agent-request.ts';
import { runAgUi } from './ag-ui-events.ts';
import { isRunAgentInput } from './ag-ui-input.ts';
import { runAgent } from './agent-events.ts';
import type { RunFailure } from './errors.ts';
import type { AgentGraph } from './graph.ts';
import { historyFromTurns } from './history.ts';

/** What the handler needs to know about its HTTP request, which the SDK does not pass it. */
interface RequestScope {
  /** Aborted when the caller's connection closes before the response finished. */
  signal: AbortSignal;
  /** The caller asked for SSE; otherwise it gets `{"output": …}` as JSON. */
  wantsStream: boolean;
  /** The body is an AG-UI RunAgentInput, answered with AG-UI events (always a stream). */
  agUi: boolean;
  /** Sets the status of a JSON answer. */
  setStatus(status: number): void;
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

/**
 * The body of a non-streaming answer: the run's final text (with the calls it paused on, or its
 * suggestions, if any), or why it failed.
 */
type JsonAnswer = { output: string; interrupts?: AgentInterrupt[]; suggestions?: string[] } | { error: RunFailure };

/** Reads the prompt from `{"prompt": …}` (AgentCore's convention) or `{"message": …}`. */
export function promptOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { prompt, message } = payload as { prompt?: unknown; message?: unknown };
  const text = typeof prompt === 'string' ? prompt : typeof message === 'string' ? message : undefined;
  return text?.trim() ? text : undefined;
}

/**
 * The agent served on the AgentCore runtime contract by AWS's `BedrockAgentCoreApp`:
 * `POST /invocations` (SSE of Wire 1 events, or JSON `{"output"}`; for an AG-UI RunAgentInput, SSE
 * of AG-UI events, which is also AgentCore's AGUI protocol contract) and `GET /ping`, which reports
 * `HealthyBusy` while any run is in progress so AgentCore does not reap a busy session.
 */
export function createRuntime({ graph, logging = true }: RuntimeOptions) {
  const scope = new AsyncLocalStorage<RequestScope>();

  const app: BedrockAgentCoreApp = new BedrockAgentCoreApp({
    config: { logging: { enabled: logging } },
    invocationHandler: {
      process: (payload, context) => {
        const request = scope.getStore();
        // Without the scope a disconnect could not cancel the run: fail loudly rather than run blind.
        if (!request) throw new Error('The invocation has no request scope');
        const run = {
          sessionId: context.sessionId,
          signal: request.signal,
          logError: (error: unknown) => context.log.error({ err: error }, 'agent run failed'),
        };
        if (request.agUi) return busyWhile(app, sseData(runAgUi(graph, { body: payload, ...run })));
        const { history, resume, tools } = (payload ?? {}) as { history?: unknown; resume?: unknown; tools?: unknown };
        const events = busyWhile(
          app,
          runAgent(graph, { prompt: promptOf(payload), history: historyFromTurns(history), resume, tools, ...run }),
        );
        return request.wantsStream ? events : answerJson(events, request.setStatus);
      },
    },
  });

  // bedrock-agentcore 0.4.4 hands the handler neither the Accept header, nor a way to learn that
  // the caller hung up, nor the reply's status; and `run()` returns no server handle. Its Fastify
  // instance gives all of them through public Fastify APIs: the request scope is entered once the
  // body is parsed (so it survives into the handler), and `onListen` tells us the port.
  const fastify = (app as unknown as { _app: FastifyInstance })._app;
  fastify.addHook('preHandler', (request, reply, done) => {
    // The SDK answers an invocation without a session id with a JSON 400, but only after
    // @fastify/sse has made an SSE caller's reply a stream, which turns that into an empty 500.
    const session =
      request.headers[RUNTIME_SESSION_HEADER] ??
      (request.body as { sessionId?: unknown } | null | undefined)?.sessionId;
    if (request.routeOptions.url === '/invocations' && !session) {
      reply.code(400).send({
        error: `The invocation has no runtime session: send the ${RUNTIME_SESSION_HEADER} header (AgentCore adds it).`,
      });
      return;
    }
    const controller = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('The caller closed the connection'));
    });
    // AG-UI has one answer, an event stream, whatever the caller accepts (AWS's own AGUI guide
    // tests with a curl that sends none): make @fastify/sse stream it.
    const agUi = isRunAgentInput(request.body);
    if (agUi) request.headers.accept = 'text/event-stream';
    // The same test @fastify/sse makes to decide whether this reply is a stream.
    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    scope.run({ signal: controller.signal, wantsStream, agUi, setStatus: (status) => reply.status(status) }, done);
  });
  // A body that is not JSON reaches the handler as "no prompt", so it is answered like any other
  // bad payload (an AGENT_ERROR in the stream) instead of by Fastify's own 400.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, undefined);
    }
  });

  return {
    app,
    /** Starts listening (on loopback unless `host` says otherwise); port 0 picks a free port. */
    listen(port: number, host = '127.0.0.1'): Promise<RunningRuntime> {
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

/**
 * Counts the run as an AgentCore async task from its first event to its end, however it ends
 * (finished, failed, or dropped when the caller disconnects). The SDK only notes when the status
 * changed as it answers a ping, so it is asked at each change: `time_of_last_update` is then the
 * moment the session went busy or idle, not the moment someone happened to ask.
 */
async function* busyWhile<T>(app: BedrockAgentCoreApp, events: AsyncGenerator<T>): AsyncGenerator<T> {
  const task = app.addAsyncTask('invocation');
  app.getCurrentPingStatus();
  try {
    yield* events;
  } finally {
    app.completeAsyncTask(task);
    app.getCurrentPingStatus();
  }
}

/**
 * AG-UI's SSE framing, which @fastify/sse writes for `{data}`: one `data:` line of JSON per event,
 * no `event:` or `id:` line — byte for byte what @ag-ui/encoder's encodeSSE writes (a test checks).
 */
async function* sseData<T>(events: AsyncGenerator<T>): AsyncGenerator<{ data: T }> {
  for await (const data of events) yield { data };
}

/** The non-streaming answer: the run's final output, or its failure with a fitting status. */
async function answerJson(
  events: AsyncGenerator<AgentEvent>,
  setStatus: (status: number) => void,
): Promise<JsonAnswer> {
  let failure: RunFailure | undefined;
  const interrupts: AgentInterrupt[] = [];
  let suggestions: string[] = [];
  let output = '';
  for await (const e of events) {
    if (e.event === 'AGENT_ERROR') {
      setStatus(isAgentErrorCode(e.data.code) ? AGENT_ERRORS[e.data.code].status : 500);
      failure = { code: e.data.code, message: e.data.message };
    } else if (e.event === 'AGENT_INTERRUPT') {
      const { timestamp: _, ...interrupt } = e.data;
      interrupts.push(interrupt);
    } else if (e.event === 'SUGGESTIONS') {
      suggestions = e.data.items;
    } else if (e.event === 'AGENT_END') {
      output = e.data.output;
    }
  }
  if (failure) return { error: failure };
  return { output, ...(interrupts.length > 0 && { interrupts }), ...(suggestions.length > 0 && { suggestions }) };
}
