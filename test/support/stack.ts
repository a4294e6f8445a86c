import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { type BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph';
import { createGateway, listenGateway } from '../../agent/src/gateway.ts';
import { buildGraph } from '../../agent/src/graph.ts';
import { OfflineChatModel } from '../../agent/src/offline-model.ts';
import { createRuntime } from '../../agent/src/runtime.ts';
import { tools } from '../../agent/src/tools.ts';
import { agentCoreInvoker, createAgentCoreClient } from '../../server/src/agentcore.ts';
import { createApp } from '../../server/src/app.ts';
import { type ServerConfig, loadConfig } from '../../server/src/config.ts';

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
export async function startStack({ model, checkpointer = new MemorySaver(), env = {} }: StackOptions = {}): Promise<Stack> {
  const graph = buildGraph({ model: model ?? new OfflineChatModel(), tools, checkpointer });
  const runtime = await createRuntime({ graph, logging: false }).listen(0, '127.0.0.1');
  const gateway = await listenGateway(createGateway({ runtimeUrl: runtime.url }), 0, '127.0.0.1');
  const config = loadConfig({ AGENTCORE_ENDPOINT: gateway.url, SESSION_SECRET: 'test-secret', LOG_LEVEL: 'silent', ...env }, () => {});
  const client = createAgentCoreClient(config, { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    config,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gateway.close();
      await runtime.close();
    },
  };
}
