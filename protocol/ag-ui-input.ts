import type { ContentPart, Message, ResumeEntry, RunAgentInput, ToolMessage } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { type PageTool, RESUME_NOTE_MAX_CHARS } from './agent-request.ts';
import { type Checked, checkPageTools } from './page-tools.ts';

/**
 * An AG-UI RunAgentInput, read as the agent runs it: validated with @ag-ui/core's own schema, then
 * held to what the agent can do with it. The agent reads its input with this, and the BFF's
 * `POST /v1/agui` checks a client's input with it before any agent is called, so a client hears
 * what is wrong as a 400 rather than as a RUN_ERROR. Of the input, the agent uses `threadId` and
 * `runId` (echoed), `messages`, `tools` (page tools) and `resume`; it ignores `context`, `state`,
 * `forwardedProps` and `parentRunId`. (Not for the widget: this module brings @ag-ui/core's schemas,
 * and with them zod.)
 */

/** The text of a message's content: a string, or the text parts of a list (other parts are dropped). */
export function textOf(content: string | ContentPart[] | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

/** A resume entry's answer to an approval interrupt: dismissed, or approved or declined (with a note). */
export type ResumeOutcome = { cancelled: true } | { approved: boolean; note?: string };

/**
 * What the input asks the agent to do:
 *
 * - `prompt`: a new turn. The last message is the user's, with text; the ones before it are the
 *   client's view of the conversation (with the results of any page tool calls it has, and maybe
 *   `resume` entries that cancel the interrupts the new message moves on from);
 * - `resume`: answer the approvals a paused run waits on (`answers`, one per interrupt);
 * - `tool_results`: go on with the results of the page tools the last run stopped on: the `tool`
 *   messages after the last assistant message.
 */
export type RunTurn =
  | { kind: 'prompt'; prompt: string }
  | { kind: 'resume' }
  | { kind: 'tool_results'; results: ToolMessage[] };

export interface RunInputRead {
  input: RunAgentInput;
  tools: PageTool[];
  /** The `resume` entries, by interrupt id. */
  answers: Record<string, ResumeOutcome>;
  turn: RunTurn;
}

const NO_TURN =
  'The last message of the RunAgentInput must be a user message with text, or tool messages answering the page tools the last run stopped on; or it must carry "resume".';
const BAD_PAYLOAD = `A resolved approval's payload must be {approved: boolean, note?: string} (a note of at most ${RESUME_NOTE_MAX_CHARS} characters).`;

/** The text of the new turn: a user message's string content or text parts. */
const userText = (message: Message | undefined) => (message?.role === 'user' ? textOf(message.content) : '');

/** A resume entry as an answer: `cancelled`, or `resolved` with an ApprovalPayload. Editing arguments is not offered. */
function outcomeOf(entry: ResumeEntry): ResumeOutcome | undefined {
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

/**
 * Reads `body` as a RunAgentInput the agent can run, or says in one sentence what is wrong with it
 * (the first problem: enough to fix the request). `reserved`: names page tools may not take (the
 * agent's own tools).
 */
export function readRunAgentInput(body: unknown, reserved?: ReadonlySet<string>): Checked<RunInputRead> {
  const parsed = RunAgentInputSchema.safeParse(body);
  if (!parsed.success) {
    // zod's wording names types, never the values sent.
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      message: `The request is not a valid AG-UI RunAgentInput: ${where}${issue?.message ?? 'invalid'}`,
    };
  }
  const input = parsed.data as RunAgentInput;
  const tools = checkPageTools(input.tools, reserved);
  if (!tools.ok) return tools;
  // No prototype: an interrupt id is the client's word, "__proto__" and "constructor" included.
  const answers: Record<string, ResumeOutcome> = Object.create(null);
  for (const entry of input.resume ?? []) {
    const answer = outcomeOf(entry);
    if (!answer) return { ok: false, message: BAD_PAYLOAD };
    if (Object.hasOwn(answers, entry.interruptId))
      return { ok: false, message: `The resume answers interrupt "${entry.interruptId.slice(0, 80)}" twice.` };
    answers[entry.interruptId] = answer;
  }
  const read = (turn: RunTurn): Checked<RunInputRead> => ({
    ok: true,
    value: { input, tools: tools.value, answers, turn },
  });

  const { messages } = input;
  const prompt = userText(messages.at(-1));
  if (prompt.trim()) return read({ kind: 'prompt', prompt });
  if (input.resume?.length) return read({ kind: 'resume' });
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant');
  const results = messages.slice(lastAssistant + 1).flatMap((m) => (m.role === 'tool' ? [m] : []));
  if (lastAssistant < 0 || results.length === 0) return { ok: false, message: NO_TURN };
  return read({ kind: 'tool_results', results });
}
