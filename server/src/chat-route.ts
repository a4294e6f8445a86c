import type { Request, Response } from 'express';
import type { ActiveRuns } from './active-runs.ts';
import type { AgentInvoker } from './agentcore.ts';
import { parseChatRequest } from './chat-request.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
import { pump } from './pump.ts';
import { RunStopped, relay } from './relay.ts';
import { Run, newRunId } from './run.ts';
import { RunReader } from './run-reader.ts';
import type { RunStore } from './run-store.ts';
import { RunWatchdog } from './run-watchdog.ts';
import { runtimeSessionId } from './session-id.ts';

export interface ChatRouteDeps {
  config: ServerConfig;
  invokeAgent: AgentInvoker;
  runs: ActiveRuns;
  store: RunStore;
  logger: Logger;
}

const UPSTREAM_TIMEOUT = new RunStopped('upstream_timeout');
const RUN_TIMEOUT = new RunStopped('run_timeout');

/**
 * `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: starts one agent run
 * — for a new message, or for the answer to a paused run (a resume holds the conversation's lock
 * like any run, so a double-click cannot answer twice at once) — and reads it as SSE. The run is not
 * the response's: it goes on if the browser goes away (for RESUME_GRACE_MS), and any reader may pick
 * it up again from the run's store.
 */
export async function streamChat(
  req: Request,
  res: Response,
  { config, invokeAgent, runs, store, logger }: ChatRouteDeps,
): Promise<void> {
  const { session_id, request } = parseChatRequest(req.body, config.maxMessageChars);
  if (runs.stopping) {
    res.setHeader('connection', 'close');
    throw new HttpError('shutting_down');
  }
  const owner = res.locals.caller?.sub;
  const run = new Run({
    id: newRunId(),
    owner,
    conversation: runtimeSessionId(config.sessionSecret, session_id, owner),
    maxBytes: config.maxRunBytes,
    graceMs: config.resumeGraceMs,
    host: store,
  });
  if (!(await store.start(run))) throw new HttpError('session_busy');
  runs.add(run);
  res.locals.runId = run.id;
  // A browser that takes nothing for this long (not even pings) is gone: Node destroys the socket.
  res.setTimeout(config.streamIdleTimeoutMs);
  run.attach(new RunReader(res, 0, config.heartbeatMs));

  const { signal } = run.controller;
  const watchdog = new RunWatchdog(config.streamIdleTimeoutMs, config.streamMaxDurationMs, (why) =>
    run.stop(why === 'idle' ? UPSTREAM_TIMEOUT : RUN_TIMEOUT),
  );
  const { requestId } = res.locals;
  const upstream = () =>
    invokeAgent({ body: request, runtimeSessionId: run.conversation, signal, onActivity: watchdog.touch });
  const events = relay(upstream, session_id, run.id, (error, described) => {
    if (described.code === 'internal_error')
      logger.error({ request_id: requestId, run_id: run.id, error: String(error) }, 'unexpected upstream failure');
    else if (!(error instanceof RunStopped))
      logger.debug(
        { request_id: requestId, run_id: run.id, code: described.code, error: String(error) },
        'upstream failure',
      );
  });
  try {
    await pump(events, run, { signal, watchdog });
  } finally {
    runs.delete(run);
  }
}
