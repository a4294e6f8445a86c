import type { Message, ResumeEntry, RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { RESUME_NOTE_MAX_CHARS } from '../../protocol/agent-request.ts';
import type { Answer, Answers } from './approvals.ts';
import { historyFromMessages, textOf } from './history.ts';
import { readPageTools } from './page-tools.ts';
import type { TurnRequest } from './pause.ts';

/**
 * An AG-UI RunAgentInput, read for a run: validated with @ag-ui/core's own schema. The agent uses
 * `threadId` and `runId` (echoed in RUN_STARTED and RUN_FINISHED), `messages`, `tools` (page
 * tools, see page-tools.ts) and `resume`; it ignores `context`, `state`, `forwardedProps` and
 * `parentRunId`. An input is one of:
 *
 * - a new turn: the last message is the user's, and the ones before it are the client's view of
 *   the conversation (with the results of any page tool calls it has, and possibly `resume`
 *   entries that cancel the interrupts the new message moves on from);
 * - the answers to a run that paused for approvals: `resume`, one entry per interrupt;
 * - the results of the page tools a run stopped on: `tool` messages after the last assistant message.
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
  | { ok: true; threadId: string; runId: string; request: TurnRequest }
  /** Why the input cannot be run, in words for the caller (a RUN_ERROR with code `bad_request`). */
  | { ok: false; message: string };

const NO_TURN =
  'The last message of the RunAgentInput must be a user message with text, or tool messages answering the page tools the last run stopped on; or it must carry "resume".';
const BAD_PAYLOAD = `A resolved approval's payload must be {approved: boolean, note?: string} (a note of at most ${RESUME_NOTE_MAX_CHARS} characters).`;

/** The text of the new turn: a user message's string content or text parts. */
const userText = (message: Message | undefined) => (message?.role === 'user' ? textOf(message.content) : '');

/** A resume entry as an answer: `cancelled`, or `resolved` with an ApprovalPayload. Editing arguments is not offered. */
function answerOf(entry: ResumeEntry): Answer | undefined {
  if (entry.status === 'cancelled') return { cancelled: true };
  const payload = entry.payload as Record<string, unknown> | null | undefined;
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof payload.approved !== 'boolean' ||
    'editedArgs' in payload
  )
    return undefined;
  const { approved, note } = payload;
  if (note !== undefined && (typeof note !== 'string' || note.length > RESUME_NOTE_MAX_CHARS)) return undefined;
  return { approved, ...(typeof note === 'string' && { note }) };
}

/** The outcome a `tool` message reports for a page tool call. */
const outcomeOf = (message: Extract<Message, { role: 'tool' }>) =>
  message.error !== undefined
    ? { error: message.error || textOf(message.content) }
    : { result: textOf(message.content) };

export function readRunInput(body: unknown, ownTools: ReadonlySet<string> = new Set()): RunRequest {
  const parsed = RunAgentInputSchema.safeParse(body);
  if (!parsed.success) {
    // The first problem is enough to fix the request; zod's wording names types, never the values sent.
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      message: `The request is not a valid AG-UI RunAgentInput: ${where}${issue?.message ?? 'invalid'}`,
    };
  }
  const { threadId, runId, messages, tools, resume = [] } = parsed.data as RunAgentInput;
  const pageTools = readPageTools(tools, ownTools);
  if (!pageTools.ok) return pageTools;
  const answers: Answers = {};
  for (const entry of resume) {
    const answer = answerOf(entry);
    if (!answer) return { ok: false, message: BAD_PAYLOAD };
    if (entry.interruptId in answers)
      return { ok: false, message: `The resume answers interrupt "${entry.interruptId.slice(0, 80)}" twice.` };
    answers[entry.interruptId] = answer;
  }
  const base = { ok: true as const, threadId, runId };

  const prompt = userText(messages.at(-1));
  if (prompt.trim()) {
    const pageResults = new Map(
      messages.flatMap((m) => (m.role === 'tool' ? [[m.toolCallId, outcomeOf(m)] as const] : [])),
    );
    const request: TurnRequest = {
      kind: 'prompt',
      prompt,
      history: historyFromMessages(messages.slice(0, -1)),
      pageTools: pageTools.value,
      pageResults,
    };
    return { ...base, request: resume.length > 0 ? { ...request, resume: answers } : request };
  }
  if (resume.length > 0)
    return { ...base, request: { kind: 'resume', answers, pageTools: pageTools.value, complete: true } };
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  const results = messages.slice(lastAssistant + 1).flatMap((m) => (m.role === 'tool' ? [m] : []));
  if (lastAssistant < 0 || results.length === 0) return { ok: false, message: NO_TURN };
  for (const result of results) answers[result.toolCallId] = outcomeOf(result);
  return { ...base, request: { kind: 'resume', answers, pageTools: pageTools.value, complete: false } };
}
