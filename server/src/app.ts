import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { AgentInvoker } from './agentcore.ts';
import { parseChatRequest } from './chat-request.ts';
import type { ServerConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import { relay } from './relay.ts';
import { runtimeSessionId } from './session-id.ts';
import { SseWriter } from './sse-writer.ts';

export interface AppDeps {
  config: ServerConfig;
  /** Runs the agent: the AgentCore SDK in production and in tests alike. */
  invokeAgent: AgentInvoker;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Bodies are a message and an id: anything much larger is not a chat request. */
const BODY_LIMIT = '64kb';

/** Exact-origin CORS: an allowed origin is echoed back, any other gets no CORS headers at all. */
function cors(allowed: Set<string>): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'POST, GET, OPTIONS');
        res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type');
        res.setHeader('access-control-max-age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

async function streamChat(req: Request, res: Response, deps: AppDeps): Promise<void> {
  const { message, session_id } = parseChatRequest(req.body, deps.config.maxMessageChars);
  const controller = new AbortController();
  // `res` (not `req`) closes when the browser goes away mid-stream: abort the AgentCore call.
  res.on('close', () => controller.abort());
  const writer = new SseWriter(res, randomUUID(), deps.config.heartbeatMs);
  const events = relay(
    () =>
      deps.invokeAgent({
        prompt: message,
        runtimeSessionId: runtimeSessionId(deps.config.sessionSecret, session_id),
        signal: controller.signal,
      }),
    session_id,
  );
  for await (const { event, data } of events) {
    if (controller.signal.aborted) break;
    writer.send(event, data);
  }
  writer.end();
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors(new Set(deps.config.allowedOrigins)));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post(
    '/v1/chat/stream',
    (req, _res, next) => {
      next(req.is('application/json') ? undefined : new HttpError(415, 'unsupported_media_type', 'Send the body as Content-Type: application/json.'));
    },
    express.json({ limit: BODY_LIMIT }),
    (req, res) => streamChat(req, res, deps),
  );

  if (deps.config.serveDemo) {
    app.use(express.static(`${ROOT}demo`));
    app.use(express.static(`${ROOT}dist`));
  }

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `Nothing at ${req.method} ${req.path}.`)));

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const known =
      error instanceof HttpError
        ? error
        : error?.type === 'entity.parse.failed'
          ? new HttpError(400, 'invalid_json', 'The body is not valid JSON.')
          : error?.type === 'entity.too.large'
            ? new HttpError(413, 'body_too_large', `The body must be at most ${BODY_LIMIT}.`)
            : undefined;
    if (!known) console.error(error);
    const answer = known ?? new HttpError(500, 'internal_error', 'Something went wrong.');
    if (res.headersSent) return void res.end();
    res.status(answer.status).json(answer.body);
  };
  app.use(onError);
  return app;
}
