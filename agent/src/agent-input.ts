import type { BaseMessage } from '@langchain/core/messages';
import { checkResume } from '../../protocol/agent-request.ts';
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

/** The answer a Wire 1 `resume` carries (`checkResume`), as the answers to a pause. */
export function readResume(raw: unknown): Read<Answers> {
  const checked = checkResume(raw);
  if (!checked.ok) return checked;
  const { id, ...answer } = checked.value;
  return { ok: true, value: { [id]: answer as Answer } };
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
