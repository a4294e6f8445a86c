import { type Env, integer, oneOf, port, text, url } from '../../protocol/env.ts';

/** The agent's settings, read once from the environment (docs/configuration.md). */
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

export function loadConfig(env: Env = process.env): AgentConfig {
  return {
    modelProvider: oneOf(env, 'MODEL_PROVIDER', ['offline', 'bedrock'], 'offline'),
    bedrockModelId: text(env, 'BEDROCK_MODEL_ID', DEFAULT_BEDROCK_MODEL_ID),
    bedrockEndpointUrl: url(env, 'BEDROCK_ENDPOINT_URL'),
    region: text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION', 'us-east-1'),
    offlineTokenDelayMs: integer(env, 'OFFLINE_TOKEN_DELAY_MS', 30, 0),
    maxSteps: integer(env, 'AGENT_MAX_STEPS', DEFAULT_MAX_STEPS, 1),
    memoryTokens: integer(env, 'AGENT_MEMORY_TOKENS', DEFAULT_MEMORY_TOKENS, 1),
    maxSessions: integer(env, 'AGENT_MAX_SESSIONS', DEFAULT_MAX_SESSIONS, 1),
    port: port(env, 'PORT', 8080),
    host: text(env, 'HOST', '127.0.0.1'),
  };
}
