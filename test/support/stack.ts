import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { createGateway, listenGateway } from '../../dev/agentcore/gateway.ts';
import { buildGraph } from '../../agent/src/graph.ts';
import { OfflineChatModel } from '../../agent/src/offline-model.ts';
import { createRuntime } from '../../agent/src/runtime.ts';
import { tools } from '../../agent/src/tools.ts';
import type { ServerConfig } from '../../server/src/config.ts';
import { startBff } from './bff.ts';

export interface StackOptions {
  model?: BaseChatModel;
  checkpointer?: BaseCheckpointSaver;
  env?: NodeJS.ProcessEnv;
}

export interface Stack {
  /** The BFF's base URL. */
  url: string;
  config: ServerConfig;
  close(): Promise<void>;
}

/**
 * The whole real path on ephemeral ports, in this process: BFF → AWS SDK → local AgentCore
 * gateway → `BedrockAgentCoreApp` runtime → LangGraph graph.
 */
export async function startStack({ model, checkpointer, env = {} }: StackOptions = {}): Promise<Stack> {
  const graph = buildGraph({ model: model ?? new OfflineChatModel(), tools, checkpointer });
  const runtime = await createRuntime({ graph, logging: false }).listen(0, '127.0.0.1');
  const gateway = await listenGateway(createGateway({ runtimeUrl: runtime.url }), 0, '127.0.0.1');
  const bff = await startBff(gateway.url, env);
  return {
    url: bff.url,
    config: bff.config,
    async close() {
      await bff.close();
      await gateway.close();
      await runtime.close();
    },
  };
}
