import type { Message, RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import type { BaseMessage } from '@langchain/core/messages';
import { historyFromMessages, textOf } from './history.ts';

/**
 * An AG-UI RunAgentInput, read for a run: validated with @ag-ui/core's own schema, its last message
 * is the new turn and the ones before it the client's view of the conversation. The agent uses
 * `threadId` and `runId` (echoed in RUN_STARTED and RUN_FINISHED) and `messages`; it ignores
 * `tools` (no frontend tools yet), `context`, `state`, `forwardedProps`, `parentRunId` and `resume`.
 */

/** Fields only a RunAgentInput has; the seed's `{"prompt"}` / `{"message"}` has none of them. */
const RUN_AGENT_INPUT_FIELDS = ['threadId', 'runId', 'messages'];

/**
 * Whether an invocation body is meant as a RunAgentInput rather than Wire 1's `{"prompt"}`: an
 * object with any of its fields and neither `prompt` nor `message`. Anything else, a body that is
 * not JSON included, stays on Wire 1 exactly as before.
 */
export function isRunAgentInput(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  if ('prompt' in body || 'message' in body) return false;
  return RUN_AGENT_INPUT_FIELDS.some((field) => field in body);
}

export type RunRequest =
  | { ok: true; threadId: string; runId: string; prompt: string; history: BaseMessage[] }
  /** Why the input cannot be run, in words for the caller (a RUN_ERROR with code `bad_request`). */
  | { ok: false; message: string };

const NO_USER_TURN = 'The last message of the RunAgentInput must be a user message with text.';

/** The text of the new turn: a user message's string content or text parts. */
const userText = (message: Message | undefined) => (message?.role === 'user' ? textOf(message.content) : '');

export function readRunInput(body: unknown): RunRequest {
  const parsed = RunAgentInputSchema.safeParse(body);
  if (!parsed.success) {
    // The first problem is enough to fix the request; zod's wording names types, never the values sent.
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, message: `The request is not a valid AG-UI RunAgentInput: ${where}${issue?.message ?? 'invalid'}` };
  }
  const { threadId, runId, messages } = parsed.data as RunAgentInput;
  const prompt = userText(messages.at(-1));
  if (!prompt.trim()) return { ok: false, message: NO_USER_TURN };
  return { ok: true, threadId, runId, prompt, history: historyFromMessages(messages.slice(0, -1)) };
}
