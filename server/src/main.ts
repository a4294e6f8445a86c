import { agentCoreInvoker } from './agentcore.ts';
import { createAgentCoreClient } from './agentcore-client.ts';
import { ActiveRuns } from './active-runs.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { refusalLog } from './connection-limits.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { shutdown } from './shutdown.ts';

const config = loadConfig(process.env, (message) => createLogger('warn').warn(message));
const logger = createLogger(config.logLevel);
const client = createAgentCoreClient(config);
const runs = new ActiveRuns();
const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config), runs, logger });
const server = createHttpServer(app, config, refusalLog(logger)).listen(config.port, config.host, () => {
  logger.info(
    {
      port: config.port,
      host: config.host ?? 'all interfaces',
      agentcore: config.agentcoreEndpoint ?? `AWS ${config.region}`,
      auth: config.auth ? config.auth.issuer : 'anonymous',
    },
    'listening',
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // shutdown() marks `runs` as stopping before it awaits anything.
    if (runs.stopping) return;
    logger.info({ signal, open_streams: runs.size }, 'shutting down');
    shutdown(server, runs).finally(() => {
      client.destroy();
      process.exit(0);
    });
  });
}
