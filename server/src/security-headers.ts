import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Headers on every response. The defaults suit the API (JSON and SSE, never rendered or framed);
 * the static files served in local mode adjust them below.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  next();
};

/**
 * The widget script is made to be embedded by other sites: any origin may load it, including
 * pages isolated with COEP (which need CORP cross-origin) and `type="module"` imports (which need CORS).
 */
export function widgetAssetHeaders(res: ServerResponse): void {
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  res.setHeader('access-control-allow-origin', '*');
}

/**
 * The demo page loads the widget from this origin and calls the API here; like a host site, it has
 * its own inline style and script (theme switch, host-event log), which its CSP must allow.
 */
export function demoPageHeaders(res: ServerResponse): void {
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  );
}
