import { type BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { Command } from '@langchain/langgraph';
import type { InterruptKind } from '../../protocol/agent-events.ts';
import { type Answer, type Answers, MOVED_ON, type PauseRequest, unansweredCalls } from './approvals.ts';
import type { AgentGraph } from './graph.ts';
import { turnMessages } from './history.ts';
import { TOOL_NOT_RUN } from './memory.ts';
import { type PageTools, pageToolResult, withPageTools } from './page-tools.ts';

/**
 * A session's paused run, and what each request does to it, on either wire:
 *
 * - a resume answers calls the pause waits on, and the graph goes on with `Command({resume})`;
 * - a new message while the run is paused declines every call still waiting (the lead's rule: a
 *   conversation never gets stuck behind an approval card the user lost) and is answered as usual;
 * - a resume that names a call nobody waits on, answers it with the wrong kind of answer, or comes
 *   with other page tools than the pause, is refused as `bad_request` before anything runs.
 *
 * It is refused up front because LangGraph would not refuse it: a resume addressed to an
 * interrupt that was already answered is taken by the task's next interrupt, so a stale answer
 * would silently answer a question nobody saw (@langchain/langgraph 1.7.3, `_scratchpad`).
 */

/** What a request asks of its session, read from either wire. */
export type TurnRequest =
  | {
      kind: 'prompt';
      prompt: string;
      /** The client's copy of the conversation, used when the session remembers nothing (history.ts). */
      history: BaseMessage[];
      pageTools: PageTools;
      /** AG-UI: results the client already has for page tool calls (its `tool` messages), by call id. */
      pageResults?: ReadonlyMap<string, { result: string } | { error: string }>;
      /** AG-UI: `resume` entries sent with the new message. They must name waiting calls, and cannot approve one: the message declines them all. */
      resume?: Answers;
    }
  | {
      kind: 'resume';
      answers: Answers;
      pageTools: PageTools;
      /** Every waiting call must be answered (AG-UI: "partial resumes are not supported"). */
      complete: boolean;
    };

/** A session's paused run. */
export interface Pause {
  /** LangGraph's id of the interrupt, which the resume command addresses. */
  interruptId: string;
  request: PauseRequest;
  /** Every call of the paused model step that has no result yet (those waiting and those that would run after them). */
  calls: ToolCall[];
}

/**
 * What a run needs to know of its session: the conversation it remembers and its paused run, if
 * any. One read of the checkpoint per run (it costs about 10 ms for a session at its memory budget).
 */
export async function readSession(
  graph: AgentGraph,
  sessionId: string,
): Promise<{ messages: BaseMessage[]; pause?: Pause }> {
  const state = await graph.getState({ configurable: { thread_id: sessionId } });
  const messages = (state.values as { messages?: BaseMessage[] }).messages ?? [];
  const interrupt = state.tasks.flatMap((task) => task.interrupts).at(-1);
  const request = interrupt?.value as PauseRequest | undefined;
  if (!interrupt?.id || !Array.isArray(request?.items)) return { messages };
  return { messages, pause: { interruptId: interrupt.id, request, calls: unansweredCalls(messages) } };
}

type GraphInput = Parameters<AgentGraph['stream']>[0];

export type RunPlan =
  | {
      ok: true;
      /** What the graph is streamed with: new messages, or the command that resumes it. */
      input: GraphInput;
      /** The run's config: its session and page tools, and for a resume its step budget. */
      config: { configurable: Record<string, unknown>; recursionLimit?: number };
      /** Results the request itself gave to calls of a paused step (declined ones, page results), to report before the run's own events. */
      settled: ToolMessage[];
    }
  | { ok: false; message: string };

/** How many runs each session has in progress, per graph: a paused run is not resumed or declined twice at once. */
const running = new WeakMap<AgentGraph, Map<string, number>>();

/**
 * Counts a run in the session until the returned function is called. Taken before `planRun`
 * (synchronously, so two requests cannot both plan as if alone).
 */
export function holdSession(graph: AgentGraph, sessionId: string): () => void {
  let sessions = running.get(graph);
  if (!sessions) running.set(graph, (sessions = new Map()));
  sessions.set(sessionId, (sessions.get(sessionId) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const left = sessions.get(sessionId)! - 1;
    if (left === 0) sessions.delete(sessionId);
    else sessions.set(sessionId, left);
  };
}

const refuse = (message: string): RunPlan => ({ ok: false, message });

const NOTHING_PAUSED =
  'Nothing in this session is waiting for an answer: the call was answered already, or the session has expired.';

/** Whether `answer` is the kind of answer a `kind` call waits for. */
function fits(kind: InterruptKind, answer: Answer): boolean {
  return kind === 'approval' ? 'approved' in answer || 'cancelled' in answer : 'result' in answer || 'error' in answer;
}

/** What is wrong with `answers` for this pause: an answer to a call that is not waiting, or of the wrong kind. */
function unfit(pause: Pause, answers: Answers): string | undefined {
  const waiting = new Map(pause.request.items.map((item) => [item.id, item]));
  for (const [id, answer] of Object.entries(answers)) {
    const item = waiting.get(id);
    if (!item)
      return `No call "${id.slice(0, 80)}" is waiting in this session (answered already, or never asked). It waits for: ${[...waiting.keys()].join(', ')}.`;
    if (!fits(item.kind, answer)) {
      return item.kind === 'approval'
        ? `Call "${id}" waits for an approval.`
        : `Call "${id}" waits for the page tool's result or error.`;
    }
  }
  return undefined;
}

/** What `request` does in its session (whose run the caller holds, see `holdSession`). */
export async function planRun(graph: AgentGraph, sessionId: string, request: TurnRequest): Promise<RunPlan> {
  const session = await readSession(graph, sessionId);
  if (session.pause && (running.get(graph)?.get(sessionId) ?? 0) > 1) {
    return refuse('A run is in progress in this session: wait for it to end before answering or moving on.');
  }
  const configurable = withPageTools({ thread_id: sessionId }, request.pageTools);
  return request.kind === 'prompt'
    ? newTurn(session, request, configurable)
    : resumed(graph, session.pause, request, configurable);
}

type Session = Awaited<ReturnType<typeof readSession>>;

function newTurn(
  { messages, pause }: Session,
  request: Extract<TurnRequest, { kind: 'prompt' }>,
  configurable: Record<string, unknown>,
): RunPlan {
  if (request.resume) {
    const wrong = pause ? unfit(pause, request.resume) : NOTHING_PAUSED;
    if (wrong) return refuse(wrong);
    if (Object.values(request.resume).some((answer) => 'approved' in answer && answer.approved)) {
      return refuse(
        'A new message declines the calls waiting for approval: approve them, or send the message, not both.',
      );
    }
  }
  const settled = pause ? movedOn(pause, request) : [];
  const input = { messages: [...settled, ...turnMessages(request.prompt, request.history, messages)] };
  return { ok: true, input, config: { configurable }, settled };
}

function resumed(
  graph: AgentGraph,
  pause: Pause | undefined,
  request: Extract<TurnRequest, { kind: 'resume' }>,
  configurable: Record<string, unknown>,
): RunPlan {
  if (!pause) return refuse(NOTHING_PAUSED);
  const wrong = unfit(pause, request.answers);
  if (wrong) return refuse(wrong);
  const missing = pause.request.items.filter((item) => !(item.id in request.answers)).map((item) => item.id);
  if (request.complete && missing.length > 0)
    return refuse(`The resume must answer every waiting call; missing: ${missing.join(', ')}.`);
  if (request.pageTools.digest !== pause.request.tools) {
    return refuse('The page tools are not the ones the paused run was given: resume with the same tools.');
  }
  const resume = new Command({ resume: { [pause.interruptId]: request.answers } }) as GraphInput;
  // LangGraph counts a run's supersteps from the checkpoint it starts at. A new input's run spends
  // two of them before its first node (the input, and START); a resumed one starts at the paused
  // node. Two less keeps a resumed run within AGENT_MAX_STEPS model calls too (measured: with the
  // same limit, a resumed run made AGENT_MAX_STEPS + 1 calls; see graph.ts for the budget).
  const recursionLimit = Math.max(1, (graph.config?.recursionLimit ?? 25) - 2);
  return { ok: true, input: resume, config: { configurable, recursionLimit }, settled: [] };
}

/** The results a new message gives the paused step's calls: the page's own where the client has them, otherwise "moved on". */
function movedOn(pause: Pause, request: Extract<TurnRequest, { kind: 'prompt' }>): ToolMessage[] {
  const kinds = new Map(pause.request.items.map((item) => [item.id, item.kind]));
  const pageNames = new Set(request.pageTools.list.map((tool) => tool.name));
  return pause.calls.map((call) => {
    const id = call.id ?? '';
    const given = request.pageResults?.get(id);
    if (given && pageNames.has(call.name)) return pageToolResult({ id, name: call.name }, given);
    const kind = kinds.get(id);
    return new ToolMessage({
      tool_call_id: id,
      name: call.name,
      status: 'error',
      content: kind ? MOVED_ON[kind] : TOOL_NOT_RUN,
    });
  });
}
