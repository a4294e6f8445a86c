import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatBedrockConverse } from '@langchain/aws';
import type { AgentConfig } from './configuration.ts';
import { OfflineChatModel } from './offline-model.ts';

/** The chat model named by MODEL_PROVIDER: the offline model (default) or Claude/Nova on Bedrock. */
export function createModel(config: AgentConfig): BaseChatModel {
  if (config.modelProvider === 'bedrock') {
    // ChatBedrockConverse does not read AWS_REGION by itself: the region is passed explicitly.
    return new ChatBedrockConverse({ model: config.bedrockModelId, region: config.region, streaming: true });
  }
  return new OfflineChatModel({ tokenDelayMs: config.offlineTokenDelayMs });
}
