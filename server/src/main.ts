import { agentCoreInvoker } from './agentcore.ts';
import { createAgentCoreClient } from './agentcore-client.ts';
import { ActiveRuns } from './active-runs.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { refusalLog } from './connection-limits.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { openRunStore } from './run-store.ts';
import { shutdown } from './shutdown.ts';

const config = loadConfig(process.env, (message) => createLogger('warn').warn(message));
const logger = createLogger(config.logLevel);
const client = createAgentCoreClient(config);
const runs = new ActiveRuns();
// With REDIS_URL the BFF listens only once Redis answers: its scripts and rate limits load then.
const store = await openRunStore(config, runs, logger);
const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config), runs, store, logger });
const server = createHttpServer(app, config, refusalLog(logger)).listen(config.port, config.host, () => {
  logger.info(
    {
      port: config.port,
      host: config.host ?? 'all interfaces',
      agentcore: config.agentcoreEndpoint ?? `AWS ${config.region}`,
      auth: config.auth ? config.auth.issuer : 'anonymous',
      runs: config.redisUrl ? 'redis' : 'in process',
    },
    'listening',
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // shutdown() marks `runs` as stopping before it awaits anything.
    if (runs.stopping) return;
    logger.info({ signal, open_streams: runs.size }, 'shutting down');
    shutdown(server, runs, store).finally(() => {
      client.destroy();
      process.exit(0);
    });
  });
}
