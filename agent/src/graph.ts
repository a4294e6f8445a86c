import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { RemoveMessage, SystemMessage, isAIMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { type BaseCheckpointSaver, END, MessagesAnnotation, REMOVE_ALL_MESSAGES, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_STEPS, DEFAULT_MEMORY_TOKENS } from './configuration.ts';
import { BoundedMemorySaver, boundHistory } from './memory.ts';
import { SYSTEM_PROMPT } from './prompts.ts';

type State = typeof MessagesAnnotation.State;

/** After the model speaks: run the tools it asked for, or finish. */
export function routeAfterChatbot(state: State): 'tools' | typeof END {
  const last = state.messages.at(-1);
  return last && isAIMessage(last) && (last.tool_calls?.length ?? 0) > 0 ? 'tools' : END;
}

/**
 * LangGraph's recursion limit for a budget of `maxSteps` model calls. A run is `memory`, then
 * `chatbot` and `tools` in turn: `maxSteps` calls and the tools they asked for take
 * 1 + 2 × maxSteps supersteps, and LangGraph fails the run with GraphRecursionError when it would
 * need one more, that is when the model would be called again.
 */
function recursionLimitFor(maxSteps: number): number {
  return 2 * maxSteps + 1;
}

export interface GraphOptions {
  model: BaseChatModel;
  tools: StructuredToolInterface[];
  /** Conversation memory, keyed by `thread_id` (the runtime session id). */
  checkpointer?: BaseCheckpointSaver;
  /** Most model calls per run (AGENT_MAX_STEPS). */
  maxSteps?: number;
  /** History kept per session, in approximate tokens (AGENT_MEMORY_TOKENS). */
  memoryTokens?: number;
}

/**
 * The agent: a `memory` node that bounds the stored conversation, then a `chatbot` node (the model
 * with tools bound) and a `tools` node, looping until the model answers or the step budget is spent.
 */
export function buildGraph({
  model,
  tools,
  checkpointer = new BoundedMemorySaver(DEFAULT_MAX_SESSIONS),
  maxSteps = DEFAULT_MAX_STEPS,
  memoryTokens = DEFAULT_MEMORY_TOKENS,
}: GraphOptions) {
  if (!model.bindTools) throw new Error(`The ${model._llmType()} model cannot call tools`);
  const modelWithTools = model.bindTools(tools);

  return new StateGraph(MessagesAnnotation)
    .addNode('memory', (state: State) => {
      const kept = boundHistory(state.messages, memoryTokens);
      const unchanged = kept.length === state.messages.length && kept.every((m, i) => m === state.messages[i]);
      // The stored history itself is rewritten, not just what the model is shown.
      return unchanged ? {} : { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...kept] };
    })
    .addNode('chatbot', async (state: State, config) => ({
      messages: [await modelWithTools.invoke([new SystemMessage(SYSTEM_PROMPT), ...state.messages], config)],
    }))
    .addNode('tools', new ToolNode(tools))
    .addEdge(START, 'memory')
    .addEdge('memory', 'chatbot')
    .addConditionalEdges('chatbot', routeAfterChatbot, ['tools', END])
    .addEdge('tools', 'chatbot')
    .compile({ checkpointer })
    .withConfig({ recursionLimit: recursionLimitFor(maxSteps) });
}

export type AgentGraph = ReturnType<typeof buildGraph>;
