import type { Request, RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';

/** The BFF's own origin as the browser sees it (behind a proxy: from X-Forwarded-Proto/Host, per `trust proxy`). */
function ownOrigin(req: Request): string | undefined {
  return req.host ? `${req.protocol}://${req.host}` : undefined;
}

/**
 * Exact-origin CORS for the API. A browser request from an origin on the list (or the BFF's own)
 * gets that origin echoed back; any other origin — `null` included — is refused with a 403 JSON
 * error on the request itself, so a misconfigured site sees why in its network panel and no agent
 * runs for it. Requests without an Origin header (curl, server to server) are not browser
 * cross-origin calls and pass; the rate limit covers them.
 */
export function corsGuard(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (!allowed.has(origin) && origin !== ownOrigin(req)) {
      return next(new HttpError(403, 'origin_not_allowed', 'This origin is not allowed to use this API: the server\'s ALLOWED_ORIGINS does not list it.'));
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'Retry-After, X-Request-Id');
    next();
  };
}

/** Answers a CORS preflight for `methods` (after corsGuard has vetted the origin). */
export function preflight(methods: string): RequestHandler {
  return (req, res) => {
    res.vary('Access-Control-Request-Headers');
    res.setHeader('access-control-allow-methods', methods);
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type');
    res.setHeader('access-control-max-age', '600');
    res.status(204).end();
  };
}
