import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from './logger.ts';

declare global {
  // Express's own extension point for `res.locals`.
  namespace Express {
    interface Locals {
      /** Also the run id in a stream's event ids, so a browser's `id:` leads straight to this log line. */
      requestId: string;
      /** `complete`, an error code, or unset (then `ok`, or `cancelled` when the client left first). */
      outcome?: string;
      /** Events written to a stream. */
      events?: number;
    }
  }
}

/** The request line's fields: never the body, the query string or a header. */
function requestFields(req: IncomingMessage, res: ServerResponse, durationMs: number): Record<string, unknown> {
  const { path, ip } = req as Request;
  const { outcome, events } = (res as Response).locals;
  return {
    method: req.method,
    path,
    status: res.headersSent ? res.statusCode : null,
    duration_ms: durationMs,
    outcome: outcome ?? (res.writableFinished ? 'ok' : 'cancelled'),
    ...(events === undefined ? {} : { events }),
    client: ip,
  };
}

/**
 * Gives each request an id (also sent back as X-Request-Id) and logs one line when it is over
 * (pino-http): request id, method, path (no query string), status, duration, outcome, client address.
 */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => {
      const requestId = randomUUID();
      (res as Response).locals.requestId = requestId;
      res.setHeader('x-request-id', requestId);
      return requestId;
    },
    customAttributeKeys: { reqId: 'request_id' },
    // The line carries only the request id and the fields below: no request or response dump.
    quietReqLogger: true,
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined },
    customLogLevel: () => 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (req, res, { responseTime }) => requestFields(req, res, responseTime as number),
    customErrorObject: (req, res, _error, { responseTime }) => requestFields(req, res, responseTime as number),
  }) as unknown as RequestHandler;
}
