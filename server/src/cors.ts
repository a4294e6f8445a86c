import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';

/**
 * Exact-origin CORS for the API. A browser request from an origin on the list gets that origin
 * echoed back; any other origin — `null` included — is refused with a 403 JSON error on the request
 * itself, so a misconfigured site sees why in its network panel and no agent runs for it. Requests
 * without an Origin header (curl, server to server) are not browser cross-origin calls and pass;
 * the rate limit covers them.
 *
 * The list comes from configuration only, never from the request: a BFF that took its own origin
 * from `Host` would let any page whose name an attacker points at it (DNS rebinding) call it as
 * itself, since such a page's Origin and Host agree.
 */
export function corsGuard(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (!allowed.has(origin)) {
      return next(new HttpError('origin_not_allowed'));
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'Retry-After, WWW-Authenticate, X-Request-Id');
    next();
  };
}

/** Answers a CORS preflight for `methods` (after corsGuard has vetted the origin). */
export function preflight(methods: string): RequestHandler {
  return (req, res) => {
    res.vary('Access-Control-Request-Headers');
    res.setHeader('access-control-allow-methods', methods);
    // The site's own headers (`Authorization` for a bearer token, whatever `headers` adds) are its business.
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type');
    res.setHeader('access-control-max-age', '600');
    res.status(204).end();
  };
}
