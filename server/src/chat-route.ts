import type { Request, Response } from 'express';
import type { AgentRequest } from '../../protocol/agent-request.ts';
import { parseChatRequest } from './chat-request.ts';
import { relay } from './relay.ts';
import { CHAT_WIRE } from './run-wire.ts';
import { type StartRunDeps, startRun } from './start-run.ts';

/**
 * `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: one agent run as
 * Wire 2. The run goes on if the browser goes away (for RESUME_GRACE_MS), and any reader may pick it
 * up again from the run's store.
 */
export function streamChat(req: Request, res: Response, deps: StartRunDeps): Promise<void> {
  const { message, session_id, history } = parseChatRequest(req.body, deps.config.maxMessageChars);
  // The seed's `{"prompt"}`, with the client's history when it sent one.
  const request: AgentRequest = history.length ? { prompt: message, history } : { prompt: message };
  return startRun(res, deps, {
    conversationId: session_id,
    payload: new TextEncoder().encode(JSON.stringify(request)),
    isLast: (m) => m.event === 'AGENT_END',
    relay: (upstream, runId, onFailure) => relay(upstream, session_id, runId, onFailure),
    wire: CHAT_WIRE,
    graceMs: deps.config.resumeGraceMs,
  });
}
