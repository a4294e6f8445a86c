import type { Response } from 'express';
import type { ChatError } from '../../protocol/chat-errors.ts';
import type { SseMessage } from '../../protocol/sse.ts';
import type { ActiveRuns } from './active-runs.ts';
import type { AgentInvoker } from './agentcore.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
import { pump } from './pump.ts';
import { RunStopped } from './relay.ts';
import { RunWatchdog } from './run-watchdog.ts';
import { runtimeSessionId } from './session-id.ts';
import { type Framer, SseWriter } from './sse-writer.ts';

export interface RunRouteDeps {
  config: ServerConfig;
  invokeAgent: AgentInvoker;
  runs: ActiveRuns;
  logger: Logger;
}

/** Tells the relay's caller (the log) how an upstream failure was described to the client. */
export type OnUpstreamFailure = (error: unknown, described: ChatError) => void;

/** What one route makes of a run: what it sends the agent, and how the agent's stream reaches its client. */
export interface RunPlan<E> {
  /** The conversation, as the client names it (`session_id`, `threadId`): the runtime session is derived from it. */
  conversationId: string;
  /** The invocation's body. */
  payload: Uint8Array;
  /** Whether an upstream message is the run's last. */
  isLast: (message: SseMessage) => boolean;
  /** The client's events from the upstream's messages: never throws, always ends with the run's last event. */
  relay: (upstream: () => AsyncIterable<readonly SseMessage[]>, onFailure: OnUpstreamFailure) => AsyncIterable<E[]>;
  frame: Framer<E>;
  /** Notes the request log's outcome (an error's code, or how the run ended) and event count from a batch. */
  noteBatch: (locals: Response['locals'], batch: readonly E[]) => void;
}

/** The browser went away: nobody will read this error; it keeps the abort from being logged as unexpected. */
const CANCELLED = new RunStopped('cancelled');
const UPSTREAM_TIMEOUT = new RunStopped('upstream_timeout');
const RUN_TIMEOUT = new RunStopped('run_timeout');

/**
 * One agent run for one request, relayed as SSE as it happens — what `POST /v1/chat/stream` and
 * `POST /v1/agui` share once the body is checked: one run per conversation (409 otherwise), the
 * upstream aborted the moment the client goes away, the run stopped when the agent goes quiet or
 * runs too long, heartbeats, backpressure, and the log.
 */
export async function relayRun<E>(
  res: Response,
  { config, invokeAgent, runs, logger }: RunRouteDeps,
  plan: RunPlan<E>,
): Promise<void> {
  if (runs.stopping) {
    res.setHeader('connection', 'close');
    throw new HttpError('shutting_down');
  }
  const conversation = runtimeSessionId(config.sessionSecret, plan.conversationId, res.locals.caller?.sub);
  const controller = runs.begin(conversation);
  if (!controller) throw new HttpError('session_busy');
  // `res` (not `req`) closes when the browser goes away, mid-stream or before the response started
  // (a pipelined request: see http-server.ts): abort the AgentCore call at once, whatever it is
  // waiting for. The conversation stays locked until the browser has it all.
  res.once('close', () => {
    controller.abort(CANCELLED);
    runs.end(conversation);
  });
  // A browser that takes nothing for this long (not even pings) is gone: Node destroys the socket.
  res.setTimeout(config.streamIdleTimeoutMs);
  const watchdog = new RunWatchdog(config.streamIdleTimeoutMs, config.streamMaxDurationMs, (why) =>
    controller.abort(why === 'idle' ? UPSTREAM_TIMEOUT : RUN_TIMEOUT),
  );
  const { requestId } = res.locals;
  const upstream = () =>
    invokeAgent({
      payload: plan.payload,
      runtimeSessionId: conversation,
      signal: controller.signal,
      onActivity: watchdog.touch,
      isLast: plan.isLast,
    });
  const events = plan.relay(upstream, (error, described) => {
    if (described.code === 'internal_error')
      logger.error({ request_id: requestId, error: String(error) }, 'unexpected upstream failure');
    else if (!(error instanceof RunStopped))
      logger.debug({ request_id: requestId, code: described.code, error: String(error) }, 'upstream failure');
  });
  await pump(events, new SseWriter(res, requestId, config.heartbeatMs, plan.frame), {
    signal: controller.signal,
    watchdog,
    onBatch: (batch) => plan.noteBatch(res.locals, batch),
  });
}
