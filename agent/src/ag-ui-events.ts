import { randomUUID } from 'node:crypto';
import { type AGUIEvent, EventType, type RunFinishedOutcome } from '@ag-ui/core';
import { type AIMessage, AIMessageChunk, type BaseMessage, type ToolMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import type { ToolResultMetadata } from '../../protocol/ag-ui.ts';
import { readRunInput } from './ag-ui-input.ts';
import { toolError } from './agent-events.ts';
import { type RunFailure, describeError } from './errors.ts';
import type { AgentGraph } from './graph.ts';
import { turnMessages } from './history.ts';

/**
 * The one place LangGraph's stream becomes AG-UI events. The graph is streamed in two modes:
 * `tasks` says when each node starts and what it returned, `messages` carries the model's chunks
 * as it writes them. Per run:
 *
 *   RUN_STARTED
 *   STEP_STARTED / STEP_FINISHED           around each node (memory, chatbot, tools)
 *   TEXT_MESSAGE_START / CONTENT / END     the model's text, as it streams
 *   TOOL_CALL_START / ARGS / END           each tool call, its arguments as they stream
 *   TOOL_CALL_RESULT                       each tool's result (a failure: metadata.error)
 *   RUN_FINISHED                           or RUN_ERROR {code, message}; a cancelled run
 *                                          finishes with outcome {type: "cancelled"}
 *
 * A model step's text and tool calls share one message id, so a client files the calls under the
 * message that made them. Whatever is open when the run ends is closed first, so every START has
 * its END. Interrupts (approvals) will finish a run with outcome {type: "interrupt"}: task results
 * already carry them, and `finished` takes the outcome.
 */

/** What `graph.stream(…, { streamMode: ['messages', 'tasks'] })` yields. */
export type GraphChunk =
  | ['messages', [BaseMessage, { langgraph_node?: string }]]
  | ['tasks', TaskStart | TaskResult];

interface TaskStart {
  id: string;
  name: string;
}

interface TaskResult extends TaskStart {
  /** The node's writes by channel; `messages` is what it added to the conversation. */
  result: { messages?: BaseMessage[] };
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

  /** The run ended normally; `outcome` absent means success. */
  *finished(outcome?: RunFinishedOutcome): Generator<AGUIEvent> {
    yield* this.closeAll();
    yield { type: EventType.RUN_FINISHED, threadId: this.threadId, runId: this.runId, ...(outcome && { outcome }) };
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
        // A call is streamed when its first chunk names it, as providers do; otherwise it goes whole at the end.
        id = part.id && part.name && !this.startedCalls.has(part.id) ? part.id : null;
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

  private *stepFinished({ id, name, result }: TaskResult): Generator<AGUIEvent> {
    for (const message of result.messages ?? []) {
      if (name === 'chatbot' && isAIMessage(message)) yield* this.modelMessage(message);
      else if (name === 'tools' && isToolMessage(message)) yield toolResult(message);
    }
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

const stamped = (event: AGUIEvent): AGUIEvent => ((event.timestamp = Date.now()), event);

/**
 * Runs the graph on a RunAgentInput and yields AG-UI events as they happen. It never throws: input
 * that is not a runnable RunAgentInput is a lone RUN_ERROR `bad_request`, and any failure after
 * RUN_STARTED a RUN_ERROR with the same codes and messages as Wire 1's AGENT_ERROR.
 */
export async function* runAgUi(graph: AgentGraph, { body, sessionId, signal, logError }: AgUiRunOptions): AsyncGenerator<AGUIEvent> {
  const request = readRunInput(body);
  if (!request.ok) {
    yield stamped({ type: EventType.RUN_ERROR, code: 'bad_request', message: request.message });
    return;
  }
  const run = new AgUiRun(request.threadId, request.runId);
  yield stamped(run.started());
  let ending: Iterable<AGUIEvent>;
  try {
    const stream = await graph.stream(
      { messages: await turnMessages(graph, sessionId, request.prompt, request.history) },
      { configurable: { thread_id: sessionId }, streamMode: ['messages', 'tasks'], signal },
    );
    for await (const chunk of stream) for (const event of run.fromGraph(chunk as GraphChunk)) yield stamped(event);
    ending = run.finished();
  } catch (error) {
    const failed = describeError(error, signal);
    if (failed.code !== 'cancelled') logError?.(error);
    ending = run.failed(failed);
  }
  for (const event of ending) yield stamped(event);
}
