import { after, before } from 'node:test';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActiveRuns } from '../../server/src/active-runs.ts';
import { agentCoreInvoker } from '../../server/src/agentcore.ts';
import { createAgentCoreClient } from '../../server/src/agentcore-client.ts';
import { createApp } from '../../server/src/app.ts';
import { type ServerConfig, loadConfig } from '../../server/src/config.ts';
import type { Refusal } from '../../server/src/connection-limits.ts';
import { createHttpServer } from '../../server/src/http-server.ts';
import { createLogger } from '../../server/src/logger.ts';
import { type RunStore, openRunStore } from '../../server/src/run-store.ts';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { type FakeAgentCore, startFakeAgentCore } from './fake-agentcore.ts';

/** Credentials the SDK signs with in tests: neither may ever show up in a browser's bytes. */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEFAKEFAKEFAKE',
  secretAccessKey: 'test-secret-access-key-never-shown',
};

export interface Bff {
  url: string;
  config: ServerConfig;
  server: Server;
  runs: ActiveRuns;
  store: RunStore;
  /** Every log line the BFF wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The BFF's side of every response, to look at what it buffers. */
  responses: ServerResponse[];
  /** Connections refused by the connection caps, in order. */
  refused: Refusal[];
  close(): Promise<void>;
}

/**
 * The real BFF (createApp and its HTTP server on an ephemeral port) with the real AWS SDK client,
 * pointed at `endpoint` — in these tests, the fake AgentCore endpoint — and its run store as
 * main.ts makes it (Redis when `REDIS_URL` is set). `adjust` changes what the environment cannot say.
 */
export async function startBff(
  endpoint: string,
  env: NodeJS.ProcessEnv = {},
  adjust: (config: ServerConfig) => void = () => {},
): Promise<Bff> {
  const config = loadConfig(
    // Tests send many requests from one address: the rate limit and the connection caps have their own tests.
    {
      AGENTCORE_ENDPOINT: endpoint,
      AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
      SESSION_SECRET: 'test-secret',
      SERVE_DEMO: 'false',
      RATE_LIMIT_MAX: '100000',
      MAX_CONNECTIONS_PER_IP: '10000',
      ...env,
    },
    () => {},
  );
  adjust(config);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) => void logs.push(JSON.parse(line)));
  const client = createAgentCoreClient(config, { credentials: TEST_CREDENTIALS });
  const runs = new ActiveRuns();
  const store = await openRunStore(config, runs, logger);
  const app = createApp({ config, invokeAgent: agentCoreInvoker(client, config), runs, store, logger });
  const refused: Refusal[] = [];
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(app, config, (why) => refused.push(why)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const responses: ServerResponse[] = [];
  server.on('request', (_req, res: ServerResponse) => responses.push(res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    config,
    server,
    runs,
    store,
    logs,
    responses,
    refused,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await store.close();
      client.destroy();
    },
  };
}

/** A fake AgentCore and a BFF in front of it, for one test: both closed afterwards, whatever happens. */
export async function withFakeBff<T>(
  env: NodeJS.ProcessEnv,
  test: (fake: FakeAgentCore, bff: Bff) => Promise<T>,
): Promise<T> {
  const fake = await startFakeAgentCore();
  const bff = await startBff(fake.url, env);
  try {
    return await test(fake, bff);
  } finally {
    await bff.close();
    await fake.close();
  }
}

/** The same pair shared by the tests of one `describe`: started before them, closed after them. */
export function useFakeBff(env: NodeJS.ProcessEnv = {}): { fake: FakeAgentCore; bff: Bff } {
  const pair = {} as { fake: FakeAgentCore; bff: Bff };
  before(async () => {
    pair.fake = await startFakeAgentCore();
    pair.bff = await startBff(pair.fake.url, env);
  });
  after(async () => {
    await pair.bff.close();
    await pair.fake.close();
  });
  return pair;
}
