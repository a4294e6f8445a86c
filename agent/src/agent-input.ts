import type { BaseMessage } from '@langchain/core/messages';
import { RESUME_NOTE_MAX_CHARS } from '../../protocol/agent-request.ts';
import type { Answer, Answers } from './approvals.ts';
import { failure } from './errors.ts';
import type { TurnRequest } from './pause.ts';
import { readPageTools } from './page-tools.ts';

/**
 * A Wire 1 body (`AgentRequest` in protocol/agent-request.ts), read for a run: a new message
 * (`prompt`), or the answer to one call of a paused run (`resume`), with the request's page tools.
 */

export interface Wire1Request {
  prompt: string | undefined;
  history?: BaseMessage[];
  resume?: unknown;
  tools?: unknown;
}

type Read<T> = { ok: true; value: T } | { ok: false; message: string };

const BAD_RESUME =
  '"resume" must be {id, approved: boolean, note?: string} for an approval, or {id, result: string} or {id, error: string} for a page tool.';

/** The answer a Wire 1 `resume` carries: exactly one of `approved`, `result` or `error`, for one call id. */
export function readResume(raw: unknown): Read<Answers> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: BAD_RESUME };
  const { id, approved, note, result, error } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || !id) return { ok: false, message: BAD_RESUME };
  const given = [approved, result, error].filter((field) => field !== undefined).length;
  let answer: Answer;
  if (given !== 1) return { ok: false, message: BAD_RESUME };
  if (approved !== undefined) {
    if (typeof approved !== 'boolean' || (note !== undefined && typeof note !== 'string'))
      return { ok: false, message: BAD_RESUME };
    if (typeof note === 'string' && note.length > RESUME_NOTE_MAX_CHARS) {
      return { ok: false, message: `The note is longer than ${RESUME_NOTE_MAX_CHARS} characters.` };
    }
    answer = { approved, ...(typeof note === 'string' && { note }) };
  } else if (typeof result === 'string') {
    answer = { result };
  } else if (typeof error === 'string') {
    answer = { error };
  } else {
    return { ok: false, message: BAD_RESUME };
  }
  return { ok: true, value: { [id]: answer } };
}

export function readWire1Request(
  { prompt, history = [], resume, tools }: Wire1Request,
  ownTools: ReadonlySet<string>,
): Read<TurnRequest> {
  const pageTools = readPageTools(tools, ownTools);
  if (!pageTools.ok) return pageTools;
  if (resume !== undefined) {
    if (prompt !== undefined) return { ok: false, message: 'Send either "prompt" or "resume", not both.' };
    const answers = readResume(resume);
    if (!answers.ok) return answers;
    return { ok: true, value: { kind: 'resume', answers: answers.value, pageTools: pageTools.value, complete: false } };
  }
  if (!prompt?.trim()) return { ok: false, message: failure('bad_request').message };
  return { ok: true, value: { kind: 'prompt', prompt, history, pageTools: pageTools.value } };
}
