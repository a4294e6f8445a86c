import { agentCoreInvoker, createAgentCoreClient } from './agentcore.ts';
import { ActiveRuns } from './active-runs.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { shutdown } from './shutdown.ts';

const config = loadConfig(process.env, (message) => createLogger('warn').warn(message));
const logger = createLogger(config.logLevel);
const client = createAgentCoreClient(config);
const runs = new ActiveRuns();
const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config), runs, logger });
const server = createHttpServer(app).listen(config.port, () => {
  logger.info('listening', { url: `http://localhost:${config.port}`, agentcore: config.agentcoreEndpoint ?? `AWS ${config.region}` });
});
// Node closes idle keep-alive connections after 5 s, shorter than load balancers keep theirs (AWS ALB:
// 60 s), so an LB reusing a connection the BFF just closed gets a reset and answers 502. Idle
// connections therefore outlive the LB's: it always closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // shutdown() marks `runs` as stopping before it awaits anything.
    if (runs.stopping) return;
    logger.info('shutting down', { signal, open_streams: runs.size });
    shutdown(server, runs).finally(() => {
      client.destroy();
      process.exit(0);
    });
  });
}
