import type { Request, Response } from 'express';
import { parseChatRequest } from './chat-request.ts';
import { relay } from './relay.ts';
import { CHAT_WIRE } from './run-wire.ts';
import { type StartRunDeps, startRun } from './start-run.ts';

/**
 * `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: one agent run as
 * Wire 2 — for a new message, or for the answer to a paused run (a resume holds the conversation's
 * lock like any run, so a double-click cannot answer twice at once). The run goes on if the browser
 * goes away (for RESUME_GRACE_MS), and any reader may pick it up again from the run's store.
 */
export function streamChat(req: Request, res: Response, deps: StartRunDeps): Promise<void> {
  const { session_id, request } = parseChatRequest(req.body, deps.config.maxMessageChars);
  return startRun(res, deps, {
    conversationId: session_id,
    payload: new TextEncoder().encode(JSON.stringify(request)),
    isLast: (m) => m.event === 'AGENT_END',
    relay: (upstream, runId, onFailure) => relay(upstream, session_id, runId, onFailure),
    wire: CHAT_WIRE,
    graceMs: deps.config.resumeGraceMs,
  });
}
