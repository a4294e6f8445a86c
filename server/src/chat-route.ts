import type { Request, Response } from 'express';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import type { ActiveRuns } from './active-runs.ts';
import type { AgentInvoker } from './agentcore.ts';
import { parseChatRequest } from './chat-request.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
import { pump } from './pump.ts';
import { RunStopped, relay } from './relay.ts';
import { RunWatchdog } from './run-watchdog.ts';
import { runtimeSessionId } from './session-id.ts';
import { SseWriter } from './sse-writer.ts';

export interface ChatRouteDeps {
  config: ServerConfig;
  invokeAgent: AgentInvoker;
  runs: ActiveRuns;
  logger: Logger;
}

/** The browser went away: nobody will read this error; it keeps the abort from being logged as unexpected. */
const CANCELLED = new RunStopped('cancelled');
const UPSTREAM_TIMEOUT = new RunStopped('upstream_timeout');
const RUN_TIMEOUT = new RunStopped('run_timeout');

/** The request log's outcome (the error's code, or `complete`) and event count, from the events sent. */
function noteOutcome(locals: Response['locals'], batch: readonly ChatEvent[]): void {
  for (const { event, data } of batch) {
    if (event === 'error') locals.outcome = data.code;
    else if (event === 'done' && data.status === 'complete') locals.outcome = 'complete';
  }
  locals.events = (locals.events ?? 0) + batch.length;
}

/**
 * `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: one agent run as SSE,
 * for a new message or for the answer to a paused run (a resume holds the conversation's lock like
 * any run, so a double-click cannot answer twice at once).
 */
export async function streamChat(
  req: Request,
  res: Response,
  { config, invokeAgent, runs, logger }: ChatRouteDeps,
): Promise<void> {
  const { session_id, request } = parseChatRequest(req.body, config.maxMessageChars);
  if (runs.stopping) {
    res.setHeader('connection', 'close');
    throw new HttpError('shutting_down');
  }
  const conversation = runtimeSessionId(config.sessionSecret, session_id, res.locals.caller?.sub);
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
      body: request,
      runtimeSessionId: conversation,
      signal: controller.signal,
      onActivity: watchdog.touch,
    });
  const events = relay(upstream, session_id, (error, described) => {
    if (described.code === 'internal_error')
      logger.error({ request_id: requestId, error: String(error) }, 'unexpected upstream failure');
    else if (!(error instanceof RunStopped))
      logger.debug({ request_id: requestId, code: described.code, error: String(error) }, 'upstream failure');
  });
  await pump(events, new SseWriter(res, requestId, config.heartbeatMs), {
    signal: controller.signal,
    watchdog,
    onBatch: (batch) => noteOutcome(res.locals, batch),
  });
}
