import { createHmac } from 'node:crypto';

/** A browser's conversation id: 1–256 characters of [A-Za-z0-9._:-] (DESIGN.md, Wire 2). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;

/**
 * The AgentCore runtime session id for a browser's session id: an HMAC under the server's secret,
 * 64 hex characters (AgentCore wants at least 33). A short browser id works, and no caller can
 * name — or guess — another caller's runtime session.
 */
export function runtimeSessionId(secret: string, browserSessionId: string): string {
  return createHmac('sha256', secret).update(browserSessionId).digest('hex');
}
