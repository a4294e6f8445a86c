import type { RequestHandler } from 'express';
import { type AugmentedRequest, type Store, rateLimit as expressRateLimit } from 'express-rate-limit';
import type { ServerConfig } from './config.ts';
import { clientKey } from './connection-limits.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';

/**
 * At most RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS per caller: per signed-in user (the
 * token's `sub`) in authenticated mode, else per client address as `trust proxy` resolves it (an IPv6
 * client per /64, see clientKey). A fixed window, counted by `store` — the run store's: in Redis,
 * shared by every instance, or (undefined) express-rate-limit's own memory store, per instance. A
 * store that fails lets the request through (the store reports its own failures; see
 * docs/decisions.md). Past the limit: 429 `rate_limited` with Retry-After.
 */
export function rateLimit(
  { rateLimitMax, rateLimitWindowMs }: Pick<ServerConfig, 'rateLimitMax' | 'rateLimitWindowMs'>,
  logger: Logger,
  store?: Store,
): RequestHandler {
  return expressRateLimit({
    windowMs: rateLimitWindowMs,
    limit: rateLimitMax,
    standardHeaders: false,
    legacyHeaders: false,
    ...(store ? { store } : {}),
    passOnStoreError: true,
    logger: {
      warn: (error, message) => logger.warn({ error: String(error) }, message ?? 'rate limit'),
      error: () => {},
    },
    keyGenerator: (req, res) => (res.locals.caller ? `user:${res.locals.caller.sub}` : `ip:${clientKey(req.ip)}`),
    // It looks for `ipKeyGenerator` in the key generator's source; clientKey is that, with a /64.
    validate: { keyGeneratorIpFallback: false },
    handler: (req, res, next) => {
      const resetAt = (req as AugmentedRequest).rateLimit?.resetTime?.getTime() ?? Date.now() + rateLimitWindowMs;
      const seconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
      res.setHeader('retry-after', String(seconds));
      const who = res.locals.caller ? 'for this user' : 'from this address';
      next(new HttpError('rate_limited', { who, seconds }));
    },
  });
}
