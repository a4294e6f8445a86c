import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { type LangGraphRunnableConfig, interrupt, isCommand } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import type { AgentInterrupt, InterruptKind } from '../../protocol/agent-events.ts';
import { pageToolResult, pageToolsOf } from './page-tools.ts';
import { approvalQuestion } from './tools/define-tool.ts';

/**
 * The gate in front of the tools: before any tool of a model step runs, the calls that need the
 * user (a tool marked `needsApproval`) or the page (a page tool) pause the run with LangGraph's
 * `interrupt()`. The checkpointer keeps the paused state; the run ends cleanly, and a later
 * invocation resumes it with `Command({resume})` (see pause.ts).
 *
 * LangGraph re-runs an interrupted node from its start on resume, handing each `interrupt()` call
 * the answer it got last time, in order. So the gate asks before anything runs and asks the same
 * questions in the same order on every re-run; the step's tools run once, after the last answer,
 * and never twice. It asks in stages: the approvals first, then the page tools; a resume that
 * answers only some of a stage's calls is asked about the rest again (a new interrupt).
 */

/** The value of each `interrupt()`: the calls of one kind still waiting, and the page tools they were asked with. */
export interface PauseRequest {
  items: AgentInterrupt[];
  /** PageTools.digest of the run that paused: a resume must bring the same page tools. */
  tools: string;
}

/** The answer to one waiting call, as the resume value carries it. */
export type Answer =
  | { approved: boolean; note?: string }
  /** AG-UI's `status: "cancelled"`: the approval was dismissed without a decision. */
  | { cancelled: true }
  | { result: string }
  | { error: string };

/** The resume value of an interrupt: answers by tool call id. */
export type Answers = Record<string, Answer>;

const STAGES: readonly InterruptKind[] = ['approval', 'page_tool'];

const DECLINED = 'The user declined this call, so it was not run.';
const NOTE_INTRO = ' Their note: ';

/** A denial, as the call's result: the model reads it (and the user's note) and answers from there. */
export function declined(note?: string): string {
  return note?.trim() ? `${DECLINED}${NOTE_INTRO}${JSON.stringify(note.trim())}` : DECLINED;
}

const DISMISSED = 'The user dismissed the approval without deciding, so this call was not run.';

/** Whether a call's result says the user refused it (declined or dismissed), with their note if any. */
export function readRefusal(content: string): { note?: string } | undefined {
  if (content === DISMISSED || content === DECLINED) return {};
  if (!content.startsWith(DECLINED + NOTE_INTRO)) return undefined;
  try {
    return { note: JSON.parse(content.slice(DECLINED.length + NOTE_INTRO.length)) as string };
  } catch {
    return undefined;
  }
}

/** The result of a call still waiting when the user sent a new message instead (the lead's rule: it is declined). */
export const MOVED_ON: Record<InterruptKind, string> = {
  approval: 'Not run: the user moved on to a new message without approving this call.',
  page_tool: 'Not run: the user moved on to a new message before the page answered.',
};

/** The last AI message of a conversation: the model step whose tools are being run. */
export function lastModelStep(messages: readonly BaseMessage[]): AIMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (AIMessage.isInstance(messages[i])) return messages[i] as AIMessage;
  return undefined;
}

/** That step's tool calls without a result yet. */
export function unansweredCalls(messages: readonly BaseMessage[]): ToolCall[] {
  const answered = new Set(messages.filter(ToolMessage.isInstance).map((m) => m.tool_call_id));
  return (lastModelStep(messages)?.tool_calls ?? []).filter((call) => !call.id || !answered.has(call.id));
}

type ToolsState = { messages: BaseMessage[] } & Record<string, unknown>;

/**
 * LangGraph's ToolNode behind the gate. Tools may answer with `Command({update: {…}})` to change
 * the graph's state (see tools/notes.ts); the node returns one update for all of them.
 */
export class GatedToolNode extends ToolNode {
  private readonly own: ReadonlyMap<string, StructuredToolInterface>;

  constructor(tools: StructuredToolInterface[]) {
    super(tools);
    this.own = new Map(tools.map((tool) => [tool.name, tool]));
  }

  /** What a call must wait for, if anything. */
  private waitFor(call: ToolCall, pageTools: ReadonlySet<string>): AgentInterrupt | undefined {
    const tool = this.own.get(call.name);
    const question = tool ? approvalQuestion(tool, call.args) : undefined;
    const kind: InterruptKind | undefined = question ? 'approval' : pageTools.has(call.name) ? 'page_tool' : undefined;
    if (!kind) return undefined;
    // Answers find their call by id; a call without one cannot be asked about, and must not run unasked.
    if (!call.id) throw new Error(`The model called ${call.name} without a tool call id`);
    return {
      id: call.id,
      kind,
      tool: call.name,
      args: call.args,
      reason: question ?? `${call.name} runs in the web page.`,
    };
  }

  protected override async run(input: unknown, config: LangGraphRunnableConfig): Promise<unknown> {
    const state = input as ToolsState;
    const page = pageToolsOf(config);
    const names = new Set(page.list.map((tool) => tool.name));
    const waiting = unansweredCalls(state.messages).flatMap((call) => this.waitFor(call, names) ?? []);
    const answers: Answers = {};
    for (const stage of STAGES) {
      let open = waiting.filter((item) => item.kind === stage);
      while (open.length > 0) {
        const given = interrupt<PauseRequest, Answers | undefined>({ items: open, tools: page.digest });
        for (const item of open) if (given?.[item.id]) answers[item.id] = given[item.id]!;
        open = open.filter((item) => !answers[item.id]);
      }
    }
    const settled = waiting.flatMap((item) => settle(item, answers[item.id]!) ?? []);
    const ran = await super.run({ ...state, messages: [...state.messages, ...settled] }, config);
    return mergeUpdates(settled, ran);
  }
}

/** The result an answer gives a call, or undefined when the call is approved and runs. */
function settle(item: AgentInterrupt, answer: Answer): ToolMessage | undefined {
  const call = { id: item.id, name: item.tool };
  if ('result' in answer || 'error' in answer) return pageToolResult(call, answer);
  if ('approved' in answer && answer.approved) return undefined;
  const content = 'cancelled' in answer ? DISMISSED : declined(answer.note);
  return new ToolMessage({ tool_call_id: item.id, name: item.tool, status: 'error', content });
}

/** One state update from the gate's results and ToolNode's output (an update, or a list of updates and Commands). */
function mergeUpdates(settled: ToolMessage[], ran: unknown): Record<string, unknown> {
  const merged: Record<string, unknown> = { messages: [...settled] };
  for (const output of Array.isArray(ran) ? ran : [ran]) {
    const update = (isCommand(output) ? output.update : output) as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(update ?? {})) {
      merged[key] = key === 'messages' ? [...(merged.messages as BaseMessage[]), ...(value as BaseMessage[])] : value;
    }
  }
  return merged;
}
