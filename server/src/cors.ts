import cors from 'cors';
import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';

/**
 * Exact-origin CORS for the API, with `cors`. A browser request from an origin on the list gets that
 * origin echoed back; any other origin — `null` included — is refused with a 403 JSON error on the
 * request itself (and on its preflight), so a misconfigured site sees why in its network panel and
 * no agent runs for it. Requests without an Origin header (curl, server to server) are not browser
 * cross-origin calls and pass; the rate limit covers them. Every answer varies by Origin, refusals
 * and requests without one included, so no cache hands one origin's answer to another.
 *
 * The list comes from configuration only, never from the request: a BFF that took its own origin
 * from `Host` would let any page whose name an attacker points at it (DNS rebinding) call it as
 * itself, since such a page's Origin and Host agree.
 */
export function corsGuard(allowedOrigins: readonly string[], methods: string): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const guard = cors({
    origin: (origin, grant) => {
      if (origin === undefined) grant(null, false);
      else if (allowed.has(origin)) grant(null, origin);
      else grant(new HttpError('origin_not_allowed'));
    },
    methods,
    // Unset, `cors` reflects the preflight's Access-Control-Request-Headers: a site's own headers
    // (`Authorization` for a bearer token, whatever `headers` adds) are its business.
    allowedHeaders: undefined,
    exposedHeaders: 'Retry-After, WWW-Authenticate, X-Request-Id',
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    res.vary('Origin');
    guard(req, res, next);
  };
}
