import { randomBytes } from 'node:crypto';
import { LOCAL_RUNTIME_ARN } from '../../protocol/local-runtime.ts';

/** The BFF's settings, read once from the environment (see README, "Configuration"). */
export interface ServerConfig {
  port: number;
  region: string;
  /** Unset: the real AWS endpoint. Set: a URL serving AgentCore's route, like the local gateway. */
  agentcoreEndpoint: string | undefined;
  runtimeArn: string;
  qualifier: string;
  /** Exact origins allowed to call the API from a browser, besides the BFF's own. */
  allowedOrigins: string[];
  /** HMAC key that turns a browser's session id into an AgentCore runtime session id. */
  sessionSecret: string;
  heartbeatMs: number;
  maxMessageChars: number;
  /** Serve demo/ and the built widget (local mode). */
  serveDemo: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = console.warn): ServerConfig {
  const agentcoreEndpoint = env.AGENTCORE_ENDPOINT || undefined;
  const runtimeArn = env.AGENT_RUNTIME_ARN || (agentcoreEndpoint ? LOCAL_RUNTIME_ARN : undefined);
  if (!runtimeArn) throw new Error('Set AGENT_RUNTIME_ARN to the AgentCore runtime to invoke (or AGENTCORE_ENDPOINT for local mode)');
  let sessionSecret = env.SESSION_SECRET;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    warn('SESSION_SECRET is not set: using a random one, so conversations will not survive a restart of the BFF');
  }
  return {
    port: Number(env.PORT ?? 3000),
    region: env.AWS_REGION || 'us-east-1',
    agentcoreEndpoint,
    runtimeArn,
    qualifier: env.AGENT_RUNTIME_QUALIFIER || 'DEFAULT',
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    sessionSecret,
    heartbeatMs: Number(env.HEARTBEAT_MS ?? 15_000),
    maxMessageChars: Number(env.MAX_MESSAGE_CHARS ?? 16_000),
    serveDemo: env.SERVE_DEMO ? env.SERVE_DEMO === 'true' : Boolean(agentcoreEndpoint),
  };
}
