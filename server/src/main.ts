import { createAgentCoreClient, agentCoreInvoker } from './agentcore.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const client = createAgentCoreClient(config);
const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config) });
const server = app.listen(config.port, () => {
  console.log(`agent-chat BFF on http://localhost:${config.port} → AgentCore ${config.agentcoreEndpoint ?? `(AWS, ${config.region})`}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
