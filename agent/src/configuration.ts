/** The agent's settings, read once from the environment (see README, "Configuration"). */
export interface AgentConfig {
  modelProvider: 'offline' | 'bedrock';
  bedrockModelId: string;
  region: string;
  /** Pause between the offline model's streamed chunks, so a person can watch it stream. */
  offlineTokenDelayMs: number;
  port: number;
}

export const DEFAULT_BEDROCK_MODEL_ID = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const provider = env.MODEL_PROVIDER ?? 'offline';
  if (provider !== 'offline' && provider !== 'bedrock') {
    throw new Error(`MODEL_PROVIDER must be "offline" or "bedrock", not "${provider}"`);
  }
  return {
    modelProvider: provider,
    bedrockModelId: env.BEDROCK_MODEL_ID ?? DEFAULT_BEDROCK_MODEL_ID,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    offlineTokenDelayMs: Number(env.OFFLINE_TOKEN_DELAY_MS ?? 30),
    port: Number(env.PORT ?? 8080),
  };
}
