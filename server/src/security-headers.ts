import type { ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Headers on every response, with helmet: its defaults (nosniff, no referrer, HSTS, COOP, CORP
 * same-origin, …), a CSP that suits the API (JSON and SSE, never rendered or framed) and no framing
 * at all. The static files served in local mode adjust them below.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
});

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
