import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { SystemMessage, isAIMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { type BaseCheckpointSaver, END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { SYSTEM_PROMPT } from './prompts.ts';

type State = typeof MessagesAnnotation.State;

/** After the model speaks: run the tools it asked for, or finish. */
export function routeAfterChatbot(state: State): 'tools' | typeof END {
  const last = state.messages.at(-1);
  return last && isAIMessage(last) && (last.tool_calls?.length ?? 0) > 0 ? 'tools' : END;
}

export interface GraphOptions {
  model: BaseChatModel;
  tools: StructuredToolInterface[];
  /** Conversation memory, keyed by `thread_id` (the runtime session id). */
  checkpointer?: BaseCheckpointSaver;
}

/** The agent: a `chatbot` node (model with tools bound) and a `tools` node, looping until the model answers. */
export function buildGraph({ model, tools, checkpointer = new MemorySaver() }: GraphOptions) {
  if (!model.bindTools) throw new Error(`The ${model._llmType()} model cannot call tools`);
  const modelWithTools = model.bindTools(tools);

  return new StateGraph(MessagesAnnotation)
    .addNode('chatbot', async (state: State, config) => ({
      messages: [await modelWithTools.invoke([new SystemMessage(SYSTEM_PROMPT), ...state.messages], config)],
    }))
    .addNode('tools', new ToolNode(tools))
    .addEdge(START, 'chatbot')
    .addConditionalEdges('chatbot', routeAfterChatbot, ['tools', END])
    .addEdge('tools', 'chatbot')
    .compile({ checkpointer });
}

export type AgentGraph = ReturnType<typeof buildGraph>;
