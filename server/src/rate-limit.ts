import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed-window counting per key, in memory (so per BFF process). Expired windows are swept once
 * per window length, so memory follows the number of clients seen in the last window.
 */
export class FixedWindowLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** Counts one request for `key`: 0 when allowed, otherwise the whole seconds until it may try again. */
  take(key: string, now = Date.now()): number {
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    if (window.count >= this.max) return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    window.count++;
    return 0;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now >= window.resetAt) this.windows.delete(key);
    this.nextSweep = now + this.windowMs;
  }
}

/** 429 with Retry-After once a client IP (as `trust proxy` resolves it) is over its limit. */
export function rateLimit(limiter: FixedWindowLimiter): RequestHandler {
  return (req, res, next) => {
    const retryAfter = limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (retryAfter === 0) return next();
    res.setHeader('retry-after', String(retryAfter));
    next(new HttpError(429, 'rate_limited', `Too many requests from this address: try again in ${retryAfter} s.`));
  };
}
