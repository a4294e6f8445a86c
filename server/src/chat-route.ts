import type { Request, Response } from 'express';
import type { AgentRequest } from '../../protocol/agent-request.ts';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { parseChatRequest } from './chat-request.ts';
import { relay } from './relay.ts';
import { type RunRouteDeps, relayRun } from './run-route.ts';
import { chatFrame } from './sse-writer.ts';

/** The request log's outcome (the error's code, or `complete`) and event count, from the events sent. */
function noteOutcome(locals: Response['locals'], batch: readonly ChatEvent[]): void {
  for (const { event, data } of batch) {
    if (event === 'error') locals.outcome = data.code;
    else if (event === 'done' && data.status === 'complete') locals.outcome = 'complete';
  }
  locals.events = (locals.events ?? 0) + batch.length;
}

/** `POST /v1/chat/stream`, once CORS, rate limit and content type have passed: one agent run as Wire 2. */
export function streamChat(req: Request, res: Response, deps: RunRouteDeps): Promise<void> {
  const { message, session_id, history } = parseChatRequest(req.body, deps.config.maxMessageChars);
  // The seed's `{"prompt"}`, with the client's history when it sent one.
  const request: AgentRequest = history.length ? { prompt: message, history } : { prompt: message };
  return relayRun(res, deps, {
    conversationId: session_id,
    payload: new TextEncoder().encode(JSON.stringify(request)),
    isLast: (m) => m.event === 'AGENT_END',
    relay: (upstream, onFailure) => relay(upstream, session_id, onFailure),
    frame: chatFrame,
    noteBatch: noteOutcome,
  });
}
