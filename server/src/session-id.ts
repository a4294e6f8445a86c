import { createHmac } from 'node:crypto';

/** A browser's conversation id: 1–256 characters of [A-Za-z0-9._:-] (Wire 2, docs/protocol.md). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;

/**
 * The AgentCore runtime session id of a conversation: an HMAC under the server's secret, 64 hex
 * characters (AgentCore wants at least 33). A short browser id works, and no caller can name — or
 * guess — the runtime session behind another's id. In authenticated mode the caller's subject is part
 * of it: two users who send the same `session_id` have two conversations, whatever id they pick.
 * (Anonymous ids hash as they always did; a JSON pair can never equal one of them.)
 */
export function runtimeSessionId(secret: string, browserSessionId: string, sub?: string): string {
  return createHmac('sha256', secret)
    .update(sub === undefined ? browserSessionId : JSON.stringify([sub, browserSessionId]))
    .digest('hex');
}
