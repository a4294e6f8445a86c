import { isResumable } from '../../protocol/ag-ui.ts';
import { readRunAgentInput } from '../../protocol/ag-ui-input.ts';
import type { AgUiRunIds } from './agui-relay.ts';
import { HttpError } from './http-errors.ts';
import { SESSION_ID_PATTERN } from './session-id.ts';

/** What the BFF takes from a checked `POST /v1/agui` body. */
export interface AgUiRequest {
  /** The conversation (`threadId`) and the run the client named. */
  ids: AgUiRunIds;
  /** The client will come back for the run if its connection drops (`forwardedProps.agentChat.resumable`). */
  resumable: boolean;
}

/**
 * Checks a parsed `POST /v1/agui` body before any agent is called: a RunAgentInput the agent can
 * run (protocol/ag-ui-input.ts: @ag-ui/core's schema, the page tools' bounds, the resume answers,
 * a new turn or the answers a paused run waits for), with ids the conversation can be kept under
 * (`threadId` as `session_id` is held, and `runId` alike), and a new message no longer than the
 * chat route's. Everything else — however many messages, whatever `state`, `context` and
 * `forwardedProps` hold — is bounded by the body's size: the agent reads the newest messages only
 * (protocol/agent-request.ts, HISTORY_MAX_*) and ignores the rest. Of `forwardedProps` the BFF reads
 * one flag, `agentChat.resumable` (protocol/ag-ui.ts).
 */
export function parseAgUiRequest(body: unknown, maxMessageChars: number): AgUiRequest {
  const read = readRunAgentInput(body);
  if (!read.ok) throw new HttpError('invalid_run_input', { explanation: read.message });
  const { input, turn } = read.value;
  for (const field of ['threadId', 'runId'] as const) {
    if (!SESSION_ID_PATTERN.test(input[field])) throw new HttpError('invalid_id', { field });
  }
  if (turn.kind === 'prompt' && turn.prompt.length > maxMessageChars)
    throw new HttpError('message_too_long', { max: maxMessageChars });
  return { ids: { threadId: input.threadId, runId: input.runId }, resumable: isResumable(input.forwardedProps) };
}
