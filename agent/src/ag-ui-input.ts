import type { ToolMessage } from '@ag-ui/core';
import { readRunAgentInput, textOf } from '../../protocol/ag-ui-input.ts';
import type { Answers } from './approvals.ts';
import { historyFromMessages } from './history.ts';
import { pageTools } from './page-tools.ts';
import type { TurnRequest } from './pause.ts';

/**
 * An AG-UI RunAgentInput, read for a run. What makes one runnable (a new turn, the answers to a
 * paused run's approvals, or the results of its page tools) is protocol/ag-ui-input.ts's, which the
 * BFF checks too; here it becomes the graph's request.
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

/** The outcome a `tool` message reports for a page tool call. */
const outcomeOf = (message: ToolMessage) =>
  message.error !== undefined
    ? { error: message.error || textOf(message.content) }
    : { result: textOf(message.content) };

/** A RunAgentInput (checked by protocol/ag-ui-input.ts) as the run the graph makes of it. */
export function readRunInput(body: unknown, ownTools: ReadonlySet<string> = new Set()): RunRequest {
  const read = readRunAgentInput(body, ownTools);
  if (!read.ok) return read;
  const { input, answers, turn } = read.value;
  const tools = pageTools(read.value.tools);
  const base = { ok: true as const, threadId: input.threadId, runId: input.runId };
  switch (turn.kind) {
    case 'prompt': {
      const pageResults = new Map(
        input.messages.flatMap((m) => (m.role === 'tool' ? [[m.toolCallId, outcomeOf(m)] as const] : [])),
      );
      const request: TurnRequest = {
        kind: 'prompt',
        prompt: turn.prompt,
        history: historyFromMessages(input.messages.slice(0, -1)),
        pageTools: tools,
        pageResults,
      };
      return { ...base, request: input.resume?.length ? { ...request, resume: answers } : request };
    }
    case 'resume':
      return { ...base, request: { kind: 'resume', answers, pageTools: tools, complete: true } };
    case 'tool_results': {
      // No prototype: call ids are the client's word.
      const results: Answers = Object.create(null);
      for (const result of turn.results) results[result.toolCallId] = outcomeOf(result);
      return { ...base, request: { kind: 'resume', answers: results, pageTools: tools, complete: false } };
    }
  }
}
