import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ActiveRuns } from './active-runs.ts';
import type { AgentInvoker } from './agentcore.ts';
import { requireBearer } from './auth.ts';
import { agUiBodyErrors, agUiJsonOptions, streamAgUi } from './agui-route.ts';
import { bodyLimitBytes } from './chat-request.ts';
import { streamChat } from './chat-route.ts';
import type { ServerConfig } from './config.ts';
import { limitRequestsPerClient } from './connection-limits.ts';
import { corsGuard } from './cors.ts';
import { FEEDBACK_BODY_MAX_BYTES, recordFeedback } from './feedback-route.ts';
import { HttpError, bodyParserError } from './http-errors.ts';
import { type Logger, createLogger } from './logger.ts';
import { rateLimit } from './rate-limit.ts';
import { requestLog } from './request-log.ts';
import { cancelRun, readRun } from './run-routes.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import type { RunStore } from './run-store.ts';
import { demoPageHeaders, securityHeaders, widgetAssetHeaders } from './security-headers.ts';

export interface AppDeps {
  config: ServerConfig;
  /** Runs the agent: the AgentCore SDK in production and in tests alike. */
  invokeAgent: AgentInvoker;
  /** The runs relayed here; pass one in to shut them down gracefully (see shutdown.ts). */
  runs?: ActiveRuns;
  /** Where runs, locks and rate-limit counts are kept; in this process unless given (Redis: redis-run-store.ts). */
  store?: RunStore;
  logger?: Logger;
}

// The repository root, from server/src/ and from the production build in server/dist/ alike.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHAT_PATH = '/v1/chat/stream';
const FEEDBACK_PATH = '/v1/chat/feedback';
const AGUI_PATH = '/v1/agui';
const RUNS_PATH = '/v1/chat/runs';
const RUN_EVENTS_PATH = `${RUNS_PATH}/:runId/events`;
const RUN_CANCEL_PATH = `${RUNS_PATH}/:runId/cancel`;

/**
 * A static file is sent only once its response has the connection: a pipelined request waits its
 * turn, and a file stream opened for a response whose connection closes first would stay open.
 */
const whenWritable: RequestHandler = (_req, res, next) => (res.socket ? next() : void res.once('socket', () => next()));

/** 405 with the methods a path does take. */
function methodNotAllowed(allow: string): RequestHandler {
  return (req, res, next) => {
    res.setHeader('allow', allow);
    next(new HttpError('method_not_allowed', { path: req.path, allow, method: req.method }));
  };
}

export function createApp({
  config,
  invokeAgent,
  runs = new ActiveRuns(),
  store = new MemoryRunStore({ runs, retentionMs: config.runRetentionMs, maxRetained: config.maxRetainedRuns }),
  logger = createLogger(config.logLevel),
}: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // A hop count, never `true`: only that many proxies' X-Forwarded-For entries are believed, so a
  // client cannot pick its own rate-limit key.
  app.set('trust proxy', config.trustProxyHops);
  app.use(requestLog(logger), securityHeaders);
  // Behind a proxy, the per-address cap counts requests in progress per client (see connection-limits.ts).
  if (config.trustProxyHops > 0) app.use(limitRequestsPerClient(config.maxConnectionsPerIp));

  app.get('/health', (_req, res) => {
    // A load balancer stops routing here as soon as shutdown begins.
    if (runs.stopping) res.status(503).json({ status: 'shutting_down' });
    else res.json({ status: 'ok' });
  });
  app.all('/health', methodNotAllowed('GET, HEAD'));

  const origins = [...config.publicOrigins, ...config.allowedOrigins];
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  };
  // Who is calling first: the rate limit counts per user in authenticated mode.
  const caller = config.auth ? [requireBearer(config.auth, logger)] : [];
  const acceptsStream: RequestHandler = (req, _res, next) =>
    next(req.headers.accept && !req.accepts('text/event-stream') ? new HttpError('not_acceptable') : undefined);
  const json: RequestHandler = (req, _res, next) =>
    next(req.is('application/json') ? undefined : new HttpError('unsupported_media_type'));
  // The two stream routes and the feedback: one count of requests for all three.
  const chatLimit = rateLimit(config, logger, store.rateLimitStore('chat'));

  // The two stream routes, Wire 2's and AG-UI's, behind the same guards.
  const streamPaths = [CHAT_PATH, AGUI_PATH];
  // CORS answers preflights itself.
  app.use(streamPaths, noStore, corsGuard(origins, 'POST'));
  const guards: RequestHandler[] = [...caller, chatLimit, json, acceptsStream];
  const deps = { config, invokeAgent, runs, store, logger };
  app.post(
    CHAT_PATH,
    ...guards,
    express.json({ limit: bodyLimitBytes(config.maxMessageChars), inflate: false }),
    (req, res) => streamChat(req, res, deps),
  );
  const agUi: RequestHandler = (req, res) => streamAgUi(req, res, deps);
  app.post(AGUI_PATH, ...guards, express.json(agUiJsonOptions), agUiBodyErrors, agUi);
  app.all(streamPaths, methodNotAllowed('POST, OPTIONS'));

  // Feedback on an answer: the chat's guards (no Accept check: it answers 204), the same count of requests.
  app.use(FEEDBACK_PATH, noStore, corsGuard(origins, 'POST'));
  app.post(
    FEEDBACK_PATH,
    ...caller,
    chatLimit,
    json,
    express.json({ limit: FEEDBACK_BODY_MAX_BYTES, inflate: false }),
    recordFeedback(logger),
  );
  app.all(FEEDBACK_PATH, methodNotAllowed('POST, OPTIONS'));

  // Resuming and stopping runs (of either route): the same guards as the POST, their own count of requests.
  app.use(RUNS_PATH, noStore, corsGuard(origins, 'GET, POST'));
  const runsLimit = rateLimit(config, logger, store.rateLimitStore('runs'));
  app.get(RUN_EVENTS_PATH, ...caller, runsLimit, acceptsStream, (req, res) => readRun(req, res, { config, store }));
  app.all(RUN_EVENTS_PATH, methodNotAllowed('GET, OPTIONS'));
  app.post(RUN_CANCEL_PATH, ...caller, runsLimit, (req, res) => cancelRun(req, res, { config, store }));
  app.all(RUN_CANCEL_PATH, methodNotAllowed('POST, OPTIONS'));

  if (config.serveDemo) {
    app.use(whenWritable);
    app.use(express.static(`${ROOT}demo`, { setHeaders: demoPageHeaders }));
    app.use(express.static(`${ROOT}dist`, { setHeaders: widgetAssetHeaders }));
  }

  app.use((req, _res, next) => next(new HttpError('not_found', { method: req.method, path: req.path })));

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const known = error instanceof HttpError ? error : bodyParserError(error);
    if (!known)
      logger.error(
        { request_id: res.locals.requestId, error: error instanceof Error ? error.stack : String(error) },
        'unhandled error',
      );
    const answer = known ?? new HttpError('internal_error');
    res.locals.outcome = answer.code;
    if (res.headersSent) return void res.end();
    res.status(answer.status).json(answer.body);
  };
  app.use(onError);
  return app;
}
