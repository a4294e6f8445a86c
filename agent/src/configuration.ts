/** The agent's settings, read once from the environment (see README, "Configuration"). */
export interface AgentConfig {
  modelProvider: 'offline' | 'bedrock';
  bedrockModelId: string;
  /** A Bedrock Runtime endpoint URL other than the region's public one (a VPC endpoint, a test server). */
  bedrockEndpointUrl: string | undefined;
  region: string;
  /** Pause between the offline model's streamed chunks, so a person can watch it stream. */
  offlineTokenDelayMs: number;
  /** Most model calls in one run: a model that keeps asking for tools is stopped after this many. */
  maxSteps: number;
  /** Conversation memory kept per session, in approximate tokens; older turns are forgotten first. */
  memoryTokens: number;
  /** Most sessions remembered at once; the least recently used is forgotten first. */
  maxSessions: number;
  port: number;
  /** The interface to listen on: loopback unless told otherwise (the container says 0.0.0.0). */
  host: string;
}

export const DEFAULT_BEDROCK_MODEL_ID = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/** Defaults for the run's bounds, also used by code that builds an agent without a config. */
export const DEFAULT_MAX_STEPS = 10;
export const DEFAULT_MEMORY_TOKENS = 8000;
export const DEFAULT_MAX_SESSIONS = 1000;

/** A whole number ≥ `min` from the environment, or the default; anything else is a startup error. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}, not "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const provider = env.MODEL_PROVIDER ?? 'offline';
  if (provider !== 'offline' && provider !== 'bedrock') {
    throw new Error(`MODEL_PROVIDER must be "offline" or "bedrock", not "${provider}"`);
  }
  return {
    modelProvider: provider,
    bedrockModelId: env.BEDROCK_MODEL_ID || DEFAULT_BEDROCK_MODEL_ID,
    bedrockEndpointUrl: env.BEDROCK_ENDPOINT_URL || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    offlineTokenDelayMs: integer(env, 'OFFLINE_TOKEN_DELAY_MS', 30, 0),
    maxSteps: integer(env, 'AGENT_MAX_STEPS', DEFAULT_MAX_STEPS, 1),
    memoryTokens: integer(env, 'AGENT_MEMORY_TOKENS', DEFAULT_MEMORY_TOKENS, 1),
    maxSessions: integer(env, 'AGENT_MAX_SESSIONS', DEFAULT_MAX_SESSIONS, 1),
    port: integer(env, 'PORT', 8080, 0),
    host: env.HOST || '127.0.0.1',
  };
}
