import { BedrockAgentCoreClient, type BedrockAgentCoreClientConfig } from '@aws-sdk/client-bedrock-agentcore';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ServerConfig } from './config.ts';

/**
 * Each run's abort signal, keyed by its command's input and then by the HTTP request made from
 * it, where the handler below finds it. `send(command, { abortSignal })` would be simpler, but a
 * `send()` with options rebuilds the client's whole middleware stack on every call, while one
 * without reuses it (`cacheMiddleware`): about 30% of the SDK's CPU time per call, measured here.
 */
const runSignals = new WeakMap<object, AbortSignal>();

class RunAbortingHttpHandler extends NodeHttpHandler {
  override handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    return super.handle(request, { ...options, abortSignal: runSignals.get(request) ?? options?.abortSignal });
  }
}

/**
 * The AgentCore client and its connection policy: one attempt per run, a socket per open chat, and
 * each run's abort signal reaching its HTTP request. `overrides` is for what the environment does
 * not say, such as explicit credentials in tests.
 */
export function createAgentCoreClient(
  config: Pick<ServerConfig, 'region' | 'agentcoreEndpoint'>,
  overrides: BedrockAgentCoreClientConfig = {},
): BedrockAgentCoreClient {
  const client = new BedrockAgentCoreClient({
    region: config.region,
    ...(config.agentcoreEndpoint ? { endpoint: config.agentcoreEndpoint } : {}),
    ...overrides,
    // Not overridable: runs are aborted through this handler (see runSignals). Every open chat holds
    // one upstream connection for its whole run: the SDK's default pool of 50 sockets would queue
    // the 51st chat behind the others.
    requestHandler: new RunAbortingHttpHandler({
      httpAgent: { maxSockets: Number.POSITIVE_INFINITY },
      httpsAgent: { maxSockets: Number.POSITIVE_INFINITY },
    }),
    cacheMiddleware: true,
    // A retried InvokeAgentRuntime would run the agent a second time: exactly one attempt.
    maxAttempts: 1,
  });
  // Deserialize is the innermost step, after signing: hand the run's signal from the command
  // input to the HTTP request that the handler will be given.
  client.middlewareStack.add(
    (next) => (args) => {
      const signal = runSignals.get(args.input as object);
      if (signal) runSignals.set(args.request as object, signal);
      return next(args);
    },
    { step: 'deserialize', name: 'runAbortSignal' },
  );
  return client;
}

/** Makes `signal` abort the HTTP request of the command with this input (see runSignals). */
export function abortWith(commandInput: object, signal: AbortSignal): void {
  runSignals.set(commandInput, signal);
}
