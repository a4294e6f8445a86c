import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatBedrockConverse } from '@langchain/aws';
import type { AgentConfig } from './configuration.ts';
import { OfflineChatModel } from './offline-model.ts';

export interface ModelOverrides {
  /** AWS credentials; by default the SDK's chain (in AgentCore: the runtime's execution role). */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

/** The chat model named by MODEL_PROVIDER: the offline model (default) or Claude/Nova on Bedrock. */
export function createModel(config: AgentConfig, { credentials }: ModelOverrides = {}): BaseChatModel {
  if (config.modelProvider === 'bedrock') {
    // ChatBedrockConverse reads neither AWS_REGION nor an http:// endpoint (its endpointHost is
    // https only), so it gets a client built here, with the region passed explicitly.
    const client = new BedrockRuntimeClient({
      region: config.region,
      endpoint: config.bedrockEndpointUrl,
      credentials,
    });
    return new ChatBedrockConverse({ model: config.bedrockModelId, region: config.region, client, streaming: true });
  }
  return new OfflineChatModel({ tokenDelayMs: config.offlineTokenDelayMs });
}
