import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { type AIMessage, RemoveMessage, SystemMessage, isAIMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import {
  Annotation,
  type BaseCheckpointSaver,
  END,
  MessagesAnnotation,
  REMOVE_ALL_MESSAGES,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { GatedToolNode, lastModelStep } from './approvals.ts';
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_STEPS, DEFAULT_MEMORY_TOKENS } from './configuration.ts';
import { BoundedMemorySaver, boundHistory } from './memory.ts';
import { modelInput } from './model-input.ts';
import { bindablePageTools, pageToolsOf } from './page-tools.ts';
import { SYSTEM_PROMPT } from './prompts.ts';
import { onlySuggested, suggestFollowUps, takeSuggestions } from './suggestions.ts';

/** A session's state: its conversation, the notes saved in it, and the latest model message's suggestions. */
export const AgentState = Annotation.Root({
  ...MessagesAnnotation.spec,
  notes: Annotation<string[]>({ reducer: (_, next) => next, default: () => [] }),
  /** The follow-ups the model's latest answer suggested, written by every `chatbot` step; a run reports its last. */
  suggestions: Annotation<string[]>({ reducer: (_, next) => next, default: () => [] }),
});

type State = typeof AgentState.State;

/** After the model speaks: run the tools it asked for, or finish. */
export function routeAfterChatbot(state: Pick<State, 'messages'>): 'tools' | typeof END {
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

/** The names of each graph's own tools, which a request's page tools may not take. */
const ownToolNames = new WeakMap<object, ReadonlySet<string>>();

export function agentToolNames(graph: AgentGraph): ReadonlySet<string> {
  return ownToolNames.get(graph) ?? new Set();
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
 * The `tools` node pauses the run before calls that need the user's approval or the page (see
 * approvals.ts); the model's follow-up suggestions are taken out of its message (suggestions.ts).
 */
export function buildGraph({
  model,
  tools,
  checkpointer = new BoundedMemorySaver(DEFAULT_MAX_SESSIONS),
  maxSteps = DEFAULT_MAX_STEPS,
  memoryTokens = DEFAULT_MEMORY_TOKENS,
}: GraphOptions) {
  if (!model.bindTools) throw new Error(`The ${model._llmType()} model cannot call tools`);
  const own = [...tools, suggestFollowUps];
  const modelWithTools = model.bindTools(own);

  const graph = new StateGraph(AgentState)
    .addNode('memory', (state: State) => {
      const kept = boundHistory(state.messages, memoryTokens);
      const unchanged = kept.length === state.messages.length && kept.every((m, i) => m === state.messages[i]);
      // The stored history itself is rewritten, not just what the model is shown.
      return unchanged ? {} : { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...kept] };
    })
    .addNode('chatbot', async (state: State, config) => {
      // A request's page tools are bound for its run only, beside the agent's own.
      const page = pageToolsOf(config);
      const bound = page.list.length > 0 ? model.bindTools!([...own, ...bindablePageTools(page)]) : modelWithTools;
      const reply = (await bound.invoke(
        [new SystemMessage(SYSTEM_PROMPT), ...modelInput(state.messages)],
        config,
      )) as AIMessage;
      const { message, suggestions } = takeSuggestions(reply);
      // After a message that only suggested (and was answered "shown"), the answer keeps its suggestions.
      return {
        messages: [message],
        suggestions: suggestions ?? (onlySuggested(lastModelStep(state.messages)) ? state.suggestions : []),
      };
    })
    .addNode('tools', new GatedToolNode(own))
    .addEdge(START, 'memory')
    .addEdge('memory', 'chatbot')
    .addConditionalEdges('chatbot', routeAfterChatbot, ['tools', END])
    .addEdge('tools', 'chatbot')
    .compile({ checkpointer })
    .withConfig({ recursionLimit: recursionLimitFor(maxSteps) });
  ownToolNames.set(graph, new Set(own.map((tool) => tool.name)));
  return graph;
}

export type AgentGraph = ReturnType<typeof buildGraph>;
