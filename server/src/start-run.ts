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
import { Run, newRunId } from './run.ts';
import { RunReader } from './run-reader.ts';
import type { RunStore } from './run-store.ts';
import type { RunWire } from './run-wire.ts';
import { RunWatchdog } from './run-watchdog.ts';
import { runtimeSessionId } from './session-id.ts';

export interface StartRunDeps {
  config: ServerConfig;
  invokeAgent: AgentInvoker;
  runs: ActiveRuns;
  store: RunStore;
  logger: Logger;
}

/** Tells the relay's caller (the log) how an upstream failure was described to the client. */
export type OnUpstreamFailure = (error: unknown, described: ChatError) => void;

/** What one route makes of a run: what it sends the agent, and how the agent's stream reaches its readers. */
export interface RunPlan<E> {
  /** The conversation, as the client names it (`session_id`, `threadId`): the runtime session is derived from it. */
  conversationId: string;
  /** The invocation's body. */
  payload: Uint8Array;
  /** Whether an upstream message is the run's last. */
  isLast: (message: SseMessage) => boolean;
  /** The readers' events from the upstream's messages: never throws, always ends with the run's last event. */
  relay: (
    upstream: () => AsyncIterable<readonly SseMessage[]>,
    runId: string,
    onFailure: OnUpstreamFailure,
  ) => AsyncIterable<E[]>;
  wire: RunWire<E>;
  /** How long the run goes on once nobody reads it (RESUME_GRACE_MS; 0: it stops when its reader leaves). */
  graceMs: number;
}

const UPSTREAM_TIMEOUT = new RunStopped('upstream_timeout');
const RUN_TIMEOUT = new RunStopped('run_timeout');

/**
 * Starts one agent run for a request and reads it to the client as SSE — what `POST /v1/chat/stream`
 * and `POST /v1/agui` share once the body is checked: one run per conversation (409 otherwise), the
 * run kept in the store (resumed by `GET /v1/chat/runs/{id}/events`, stopped by `…/cancel`), going on
 * for `graceMs` when the client goes away, stopped when the agent goes quiet or runs too long,
 * heartbeats and the log. The run is not the response's: any reader may pick it up.
 */
export async function startRun<E>(
  res: Response,
  { config, invokeAgent, runs, store, logger }: StartRunDeps,
  plan: RunPlan<E>,
): Promise<void> {
  if (runs.stopping) {
    res.setHeader('connection', 'close');
    throw new HttpError('shutting_down');
  }
  const owner = res.locals.caller?.sub;
  const run = new Run<E>({
    id: newRunId(),
    wire: plan.wire,
    owner,
    conversation: runtimeSessionId(config.sessionSecret, plan.conversationId, owner),
    maxBytes: config.maxRunBytes,
    graceMs: plan.graceMs,
    host: store,
  });
  if (!(await store.start(run))) throw new HttpError('session_busy');
  runs.add(run);
  try {
    await relayRun(run, res, { config, invokeAgent, logger }, plan);
  } finally {
    // Ends the run however it went (the pump already has, unless something threw before it): its lock goes.
    run.end();
    runs.delete(run);
  }
}

/** Relays a started run: the POST as its first reader, the watchdog, the upstream call, the pump. */
async function relayRun<E>(
  run: Run<E>,
  res: Response,
  { config, invokeAgent, logger }: Pick<StartRunDeps, 'config' | 'invokeAgent' | 'logger'>,
  plan: RunPlan<E>,
): Promise<void> {
  res.locals.runId = run.id;
  // A client that takes nothing for this long (not even pings) is gone: Node destroys the socket.
  res.setTimeout(config.streamIdleTimeoutMs);
  run.attach(new RunReader(res, 0, config.heartbeatMs));

  const { signal } = run.controller;
  const watchdog = new RunWatchdog(config.streamIdleTimeoutMs, config.streamMaxDurationMs, (why) =>
    run.stop(why === 'idle' ? UPSTREAM_TIMEOUT : RUN_TIMEOUT),
  );
  const { requestId } = res.locals;
  const upstream = () =>
    invokeAgent({
      payload: plan.payload,
      runtimeSessionId: run.conversation,
      signal,
      onActivity: watchdog.touch,
      isLast: plan.isLast,
    });
  const events = plan.relay(upstream, run.id, (error, described) => {
    if (described.code === 'internal_error')
      logger.error({ request_id: requestId, run_id: run.id, error: String(error) }, 'unexpected upstream failure');
    else if (!(error instanceof RunStopped))
      logger.debug(
        { request_id: requestId, run_id: run.id, code: described.code, error: String(error) },
        'upstream failure',
      );
  });
  await pump(events, run, watchdog);
}
