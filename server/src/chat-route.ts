import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { AgentInvoker } from './agentcore.ts';
import type { ActiveRuns } from './active-runs.ts';
import { parseChatRequest } from './chat-request.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';
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
const CANCELLED = new RunStopped('cancelled', 'The browser went away.', false);
const UPSTREAM_TIMEOUT = new RunStopped('upstream_timeout', 'The assistant stopped responding. Try again.', true);
const RUN_TIMEOUT = new RunStopped('run_timeout', 'The answer took too long and was stopped.', false);

/** Resolves when `res` can take more, or when waiting is pointless (closed, or the run was stopped). */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> | undefined {
  if (res.destroyed || !res.writableNeedDrain || signal.aborted) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });
}

/** `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: one agent run as SSE. */
export async function streamChat(req: Request, res: Response, { config, invokeAgent, runs, logger }: ChatRouteDeps): Promise<void> {
  const { message, session_id } = parseChatRequest(req.body, config.maxMessageChars);
  if (runs.stopping) {
    res.setHeader('connection', 'close');
    throw new HttpError(503, 'shutting_down', 'The server is restarting. Try again in a moment.');
  }
  const conversation = runtimeSessionId(config.sessionSecret, session_id, res.locals.caller?.sub);
  const controller = runs.begin(conversation);
  if (!controller) {
    throw new HttpError(409, 'session_busy', 'This conversation is still answering an earlier message: wait for its done event (or stop it) before sending the next.');
  }
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
  const writer = new SseWriter(res, requestId, config.heartbeatMs);
  const events = relay(
    () =>
      invokeAgent({
        prompt: message,
        runtimeSessionId: conversation,
        signal: controller.signal,
        onActivity: watchdog.touch,
      }),
    session_id,
    (error, described) => {
      if (described.code === 'internal_error') logger.error('unexpected upstream failure', { request_id: requestId, error: String(error) });
      else if (!(error instanceof RunStopped)) logger.debug('upstream failure', { request_id: requestId, code: described.code, error: String(error) });
    },
  );
  let count = 0;
  try {
    for await (const batch of events) {
      for (const { event, data } of batch) {
        if (event === 'error') res.locals.outcome = data.code;
        else if (event === 'done' && data.status === 'complete') res.locals.outcome = 'complete';
      }
      res.locals.events = count += batch.length;
      if (!writer.send(batch)) {
        // Backpressure: read nothing more from upstream until the browser has taken this.
        const wait = drained(res, controller.signal);
        if (wait) {
          watchdog.pause();
          await wait;
          watchdog.resume();
        }
      }
    }
  } finally {
    watchdog.stop();
    writer.end();
  }
}
