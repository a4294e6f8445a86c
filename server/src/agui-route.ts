import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { AGUI_MAX_BODY_BYTES } from '../../protocol/ag-ui.ts';
import { parseAgUiRequest } from './agui-request.ts';
import { agUiWire, isAgUiLast, relayAgUi } from './agui-relay.ts';
import { HttpError } from './http-errors.ts';
import { type StartRunDeps, startRun } from './start-run.ts';

/**
 * `POST /v1/agui`: the BFF as an AG-UI endpoint. A client's RunAgentInput (CopilotKit's, the
 * official `HttpAgent`'s, the widget's with `protocol="ag-ui"`) is checked, then sent to the agent
 * exactly as it came — AgentCore passes it through untouched — and the agent's AG-UI events come
 * back as they happen, through every guard the chat route has. The conversation is the `threadId`,
 * as it is the `session_id` on the chat route (the same id names the same conversation on both).
 *
 * The run is kept like the chat route's (resumed with `GET /v1/chat/runs/{id}/events`, stopped with
 * `…/cancel`; its id is in every event's SSE `id`, `<run id>:<seq>`), but it stops when the client
 * hangs up — what AG-UI clients mean by aborting a run (`HttpAgent.abortRun()`) — unless the client
 * asked it to outlive its connection with `forwardedProps.agentChat.resumable` (see agui-request.ts).
 */

/** The body as it was sent, kept by express.json's `verify` (see agUiJsonOptions). */
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** express.json's options for this route: the body's bound, and the bytes kept to be forwarded as they are. */
export const agUiJsonOptions = {
  limit: AGUI_MAX_BODY_BYTES,
  inflate: false,
  verify: (req: IncomingMessage, _res: unknown, body: Buffer) => void rawBodies.set(req, body),
};

/** A body that is not JSON, in AG-UI's terms (the chat route's message suggests a `{"message"}` body). */
export const agUiBodyErrors: ErrorRequestHandler = (error, _req, _res, next) =>
  next(
    (error as { type?: unknown } | undefined)?.type === 'entity.parse.failed'
      ? new HttpError('invalid_run_input', { explanation: 'The body is not valid JSON: send an AG-UI RunAgentInput.' })
      : error,
  );

export function streamAgUi(req: Request, res: Response, deps: StartRunDeps): Promise<void> {
  const { ids, resumable } = parseAgUiRequest(req.body, deps.config.maxMessageChars);
  return startRun(res, deps, {
    conversationId: ids.threadId,
    payload: rawBodies.get(req)!,
    isLast: isAgUiLast,
    relay: (upstream, _runId, onFailure) => relayAgUi(upstream, ids, onFailure),
    wire: agUiWire(ids),
    graceMs: resumable ? deps.config.resumeGraceMs : 0,
  });
}
