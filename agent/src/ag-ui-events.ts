import { randomUUID } from 'node:crypto';
import { type AGUIEvent, EventType, type Interrupt, type RunFinishedOutcome } from '@ag-ui/core';
import {
  type AIMessage,
  AIMessageChunk,
  type BaseMessage,
  type ToolMessage,
  isAIMessage,
  isToolMessage,
} from '@langchain/core/messages';
import {
  APPROVAL_RESPONSE_SCHEMA,
  type ApprovalInterruptMetadata,
  SUGGESTIONS_EVENT,
  type SuggestionsValue,
  type ToolResultMetadata,
} from '../../protocol/ag-ui.ts';
import { readRunInput } from './ag-ui-input.ts';
import { toolError } from './agent-events.ts';
import type { PauseRequest } from './approvals.ts';
import { type RunFailure, describeError } from './errors.ts';
import { type AgentGraph, agentToolNames } from './graph.ts';
import { isPageToolResult } from './page-tools.ts';
import { type RunPlan, holdSession, planRun } from './pause.ts';
import { SUGGEST_TOOL } from './suggestions.ts';

/**
 * The one place LangGraph's stream becomes AG-UI events. The graph is streamed in two modes:
 * `tasks` says when each node starts and what it returned, `messages` carries the model's chunks
 * as it writes them. Per run:
 *
 *   RUN_STARTED
 *   STEP_STARTED / STEP_FINISHED           around each node (memory, chatbot, tools)
 *   TEXT_MESSAGE_START / CONTENT / END     the model's text, as it streams
 *   TOOL_CALL_START / ARGS / END           each tool call, its arguments as they stream
 *   TOOL_CALL_RESULT                       each tool's result (a failure: metadata.error); not
 *                                          for page tools, whose results the client sent
 *   CUSTOM "suggestions"                   the answer's follow-up suggestions, if any
 *   RUN_FINISHED                           or RUN_ERROR {code, message}; a cancelled run
 *                                          finishes with outcome {type: "cancelled"}, a run
 *                                          paused for approvals with {type: "interrupt"}, and
 *                                          one stopped on page tools with {type: "success",
 *                                          pendingToolCallIds}
 *
 * A model step's text and tool calls share one message id, so a client files the calls under the
 * message that made them. Whatever is open when the run ends is closed first, so every START has
 * its END. The suggestions tool's call is never shown: the graph takes it out of the model's message.
 */

/** What `graph.stream(…, { streamMode: ['messages', 'tasks'] })` yields. */
export type GraphChunk = ['messages', [BaseMessage, { langgraph_node?: string }]] | ['tasks', TaskStart | TaskResult];

interface TaskStart {
  id: string;
  name: string;
}

interface TaskResult extends TaskStart {
  /** The node's writes by channel; `messages` is what it added to the conversation. */
  result: { messages?: BaseMessage[]; suggestions?: string[] };
  /** The interrupts the node paused on (the tools gate's, see approvals.ts). */
  interrupts?: Array<{ value: PauseRequest }>;
}

/** The assistant message the model is writing in the current `chatbot` step. */
interface ModelTurn {
  id: string;
  /** Some of its text has been sent. */
  wroteText: boolean;
  /** Its text message is started and not yet ended. */
  textOpen: boolean;
  /** Its tool calls by chunk index: the call's id once started, or null if it is sent whole at the end. */
  calls: Map<string | number, string | null>;
}

export class AgUiRun {
  readonly threadId: string;
  readonly runId: string;
  /** Steps started and not yet finished: task id → node name. */
  private readonly steps = new Map<string, string>();
  private turn: ModelTurn | undefined;
  /** Tool calls started and not yet ended. */
  private readonly openCalls = new Set<string>();
  /** Every tool call id started in this run: a model that repeats an id does not start it twice. */
  private readonly startedCalls = new Set<string>();
  /** What the run paused on, if it did. */
  private pause: PauseRequest | undefined;
  /** The latest model step's follow-up suggestions. */
  private suggestions: string[] = [];

  constructor(threadId: string, runId: string) {
    this.threadId = threadId;
    this.runId = runId;
  }

  started(): AGUIEvent {
    return { type: EventType.RUN_STARTED, threadId: this.threadId, runId: this.runId };
  }

  /** The events one stream chunk stands for (often none). */
  *fromGraph([mode, payload]: GraphChunk): Generator<AGUIEvent> {
    if (mode === 'messages') {
      const [message, metadata] = payload;
      if (metadata.langgraph_node === 'chatbot' && AIMessageChunk.isInstance(message)) yield* this.modelChunk(message);
    } else if ('result' in payload) {
      yield* this.stepFinished(payload);
    } else {
      this.steps.set(payload.id, payload.name);
      yield { type: EventType.STEP_STARTED, stepName: payload.name };
    }
  }

  /**
   * The run ended without failing: cancelled, or paused (approvals make an interrupt outcome, page
   * tools a success that names the calls left to the client), or answered (with its suggestions).
   */
  *finished(outcome: RunFinishedOutcome | undefined = this.pauseOutcome()): Generator<AGUIEvent> {
    yield* this.closeAll();
    if (!outcome && this.suggestions.length > 0) {
      yield {
        type: EventType.CUSTOM,
        name: SUGGESTIONS_EVENT,
        value: { items: this.suggestions } satisfies SuggestionsValue,
      };
    }
    yield { type: EventType.RUN_FINISHED, threadId: this.threadId, runId: this.runId, ...(outcome && { outcome }) };
  }

  /** The outcome of a paused run (all the calls it waits on are of one kind: see approvals.ts). */
  private pauseOutcome(): RunFinishedOutcome | undefined {
    const items = this.pause?.items ?? [];
    if (items.length === 0) return undefined;
    if (items[0]!.kind === 'page_tool') return { type: 'success', pendingToolCallIds: items.map((item) => item.id) };
    const interrupts = items.map(
      ({ id, tool, args, reason }): Interrupt => ({
        id,
        reason: 'tool_call',
        toolCallId: id,
        message: reason,
        responseSchema: APPROVAL_RESPONSE_SCHEMA,
        metadata: { tool, args } satisfies ApprovalInterruptMetadata,
      }),
    );
    return { type: 'interrupt', interrupts };
  }

  /** Results the request gave calls of a paused step (declined ones): the client learns of them here. */
  *settled(messages: ToolMessage[]): Generator<AGUIEvent> {
    for (const message of messages) if (!isPageToolResult(message)) yield toolResult(message);
  }

  /** The run failed, or was cancelled by its caller (which AG-UI counts as finished, not failed). */
  *failed({ code, message }: RunFailure): Generator<AGUIEvent> {
    if (code === 'cancelled') return yield* this.finished({ type: 'cancelled' });
    yield* this.closeAll();
    yield { type: EventType.RUN_ERROR, code, message };
  }

  private *modelChunk(chunk: AIMessageChunk): Generator<AGUIEvent> {
    const turn = this.currentTurn();
    const delta = chunk.text;
    if (delta) yield* this.text(turn, delta);
    for (const part of chunk.tool_call_chunks ?? []) {
      const key = part.index ?? part.id ?? '';
      let id = turn.calls.get(key);
      if (id === undefined) {
        // A call is streamed when its first chunk names it, as providers do; otherwise it goes whole at
        // the end. The suggestions tool's call is not streamed: the graph takes it out of the message.
        id = part.id && part.name && part.name !== SUGGEST_TOOL && !this.startedCalls.has(part.id) ? part.id : null;
        turn.calls.set(key, id);
        if (id) yield this.startCall(id, part.name!, turn.id);
      }
      if (id && part.args) yield { type: EventType.TOOL_CALL_ARGS, toolCallId: id, delta: part.args };
    }
  }

  private currentTurn(): ModelTurn {
    return (this.turn ??= { id: randomUUID(), wroteText: false, textOpen: false, calls: new Map() });
  }

  private *text(turn: ModelTurn, delta: string): Generator<AGUIEvent> {
    if (!turn.textOpen) {
      turn.textOpen = turn.wroteText = true;
      yield { type: EventType.TEXT_MESSAGE_START, messageId: turn.id, role: 'assistant' };
    }
    yield { type: EventType.TEXT_MESSAGE_CONTENT, messageId: turn.id, delta };
  }

  private startCall(id: string, name: string, messageId: string): AGUIEvent {
    this.openCalls.add(id);
    this.startedCalls.add(id);
    return { type: EventType.TOOL_CALL_START, toolCallId: id, toolCallName: name, parentMessageId: messageId };
  }

  private *endCall(id: string): Generator<AGUIEvent> {
    if (this.openCalls.delete(id)) yield { type: EventType.TOOL_CALL_END, toolCallId: id };
  }

  private *stepFinished({ id, name, result, interrupts }: TaskResult): Generator<AGUIEvent> {
    for (const message of result.messages ?? []) {
      if (name === 'chatbot' && isAIMessage(message)) yield* this.modelMessage(message);
      else if (name === 'tools' && isToolMessage(message) && !isPageToolResult(message)) yield toolResult(message);
    }
    if (name === 'chatbot') this.suggestions = result.suggestions ?? [];
    if (interrupts?.length) this.pause = interrupts.at(-1)!.value;
    // The model's message ends with its step, even when the step failed and returned nothing.
    if (name === 'chatbot') yield* this.closeTurn();
    if (this.steps.delete(id)) yield { type: EventType.STEP_FINISHED, stepName: name };
  }

  /** The model's finished message: what it did not stream (a model that answers in one piece) goes whole. */
  private *modelMessage(message: AIMessage): Generator<AGUIEvent> {
    const turn = this.currentTurn();
    if (!turn.wroteText && message.text) yield* this.text(turn, message.text);
    if (turn.textOpen) {
      turn.textOpen = false;
      yield { type: EventType.TEXT_MESSAGE_END, messageId: turn.id };
    }
    for (const call of message.tool_calls ?? []) {
      if (!call.id) continue;
      if (!this.openCalls.has(call.id)) {
        if (this.startedCalls.has(call.id)) continue;
        yield this.startCall(call.id, call.name, turn.id);
        yield { type: EventType.TOOL_CALL_ARGS, toolCallId: call.id, delta: JSON.stringify(call.args) };
      }
      yield* this.endCall(call.id);
    }
  }

  /** Ends the current model message: its text, and calls it started that the final message dropped (unparseable arguments). */
  private *closeTurn(): Generator<AGUIEvent> {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    if (turn.textOpen) yield { type: EventType.TEXT_MESSAGE_END, messageId: turn.id };
    for (const id of turn.calls.values()) if (id) yield* this.endCall(id);
  }

  private *closeAll(): Generator<AGUIEvent> {
    yield* this.closeTurn();
    for (const id of [...this.openCalls]) yield* this.endCall(id);
    for (const name of this.steps.values()) yield { type: EventType.STEP_FINISHED, stepName: name };
    this.steps.clear();
  }
}

function toolResult(message: ToolMessage): AGUIEvent {
  const failed = message.status === 'error';
  const content = failed ? toolError(message.text) : message.text;
  return {
    type: EventType.TOOL_CALL_RESULT,
    messageId: message.id ?? randomUUID(),
    toolCallId: message.tool_call_id,
    content,
    role: 'tool',
    ...(failed && { metadata: { error: content } satisfies ToolResultMetadata }),
  };
}

export interface AgUiRunOptions {
  /** The invocation's body, meant as a RunAgentInput (see ag-ui-input.ts). */
  body: unknown;
  /** The AgentCore runtime session id: the conversation's memory is kept under it. */
  sessionId: string;
  /** Aborted when the caller goes away: the graph run and the model call stop with it. */
  signal?: AbortSignal;
  /** Where a failure's details go (the runtime's log): callers only get a code and a plain message. */
  logError?: (error: unknown) => void;
}

const stamped = (event: AGUIEvent): AGUIEvent => {
  event.timestamp = Date.now();
  return event;
};

/** An input that cannot be run is answered by this alone, before RUN_STARTED. */
const badRequest = (message: string): AGUIEvent => ({ type: EventType.RUN_ERROR, code: 'bad_request', message });

/**
 * Runs the graph on a RunAgentInput (a new turn, or the answers a paused run waits for) and yields
 * AG-UI events as they happen. It never throws: input that cannot be run (not a RunAgentInput, or
 * answers nothing waits for) is a lone RUN_ERROR `bad_request`, and any failure after RUN_STARTED a
 * RUN_ERROR with the same codes and messages as Wire 1's AGENT_ERROR.
 */
export async function* runAgUi(
  graph: AgentGraph,
  { body, sessionId, signal, logError }: AgUiRunOptions,
): AsyncGenerator<AGUIEvent> {
  const release = holdSession(graph, sessionId);
  try {
    const input = readRunInput(body, agentToolNames(graph));
    if (!input.ok) return yield stamped(badRequest(input.message));
    let plan: RunPlan;
    try {
      plan = await planRun(graph, sessionId, input.request);
    } catch (error) {
      logError?.(error);
      return yield stamped({ type: EventType.RUN_ERROR, ...describeError(error) });
    }
    if (!plan.ok) return yield stamped(badRequest(plan.message));
    const run = new AgUiRun(input.threadId, input.runId);
    yield stamped(run.started());
    for (const event of run.settled(plan.settled)) yield stamped(event);
    let ending: Iterable<AGUIEvent>;
    try {
      const stream = await graph.stream(plan.input, { ...plan.config, streamMode: ['messages', 'tasks'], signal });
      for await (const chunk of stream) for (const event of run.fromGraph(chunk as GraphChunk)) yield stamped(event);
      ending = run.finished();
    } catch (error) {
      const failed = describeError(error, signal);
      if (failed.code !== 'cancelled') logError?.(error);
      ending = run.failed(failed);
    }
    for (const event of ending) yield stamped(event);
  } finally {
    release();
  }
}
