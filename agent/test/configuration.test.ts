import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BEDROCK_MODEL_ID, loadConfig } from '../src/configuration.ts';

describe('agent configuration', () => {
  it('has working defaults: the offline model, 10 steps, 8000 tokens of memory, port 8080 on loopback', () => {
    assert.deepEqual(loadConfig({}), {
      modelProvider: 'offline',
      bedrockModelId: DEFAULT_BEDROCK_MODEL_ID,
      bedrockEndpointUrl: undefined,
      region: 'us-east-1',
      offlineTokenDelayMs: 30,
      maxSteps: 10,
      memoryTokens: 8000,
      maxSessions: 1000,
      port: 8080,
      host: '127.0.0.1',
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_MODEL_ID: 'amazon.nova-lite-v1:0',
      BEDROCK_ENDPOINT_URL: 'https://vpce.example',
      AWS_REGION: 'eu-central-1',
      AGENT_MAX_STEPS: '4',
      AGENT_MEMORY_TOKENS: '2000',
      AGENT_MAX_SESSIONS: '50',
      PORT: '9000',
      HOST: '0.0.0.0',
    });
    assert.equal(config.modelProvider, 'bedrock');
    assert.equal(config.bedrockModelId, 'amazon.nova-lite-v1:0');
    assert.equal(config.bedrockEndpointUrl, 'https://vpce.example');
    assert.equal(config.region, 'eu-central-1');
    assert.deepEqual(
      [config.maxSteps, config.memoryTokens, config.maxSessions, config.port, config.host],
      [4, 2000, 50, 9000, '0.0.0.0'],
    );
  });

  it('refuses a bad value at startup, naming the variable', () => {
    assert.throws(() => loadConfig({ AGENT_MAX_STEPS: '0' }), {
      message: 'AGENT_MAX_STEPS must be a whole number ≥ 1, not "0"',
    });
    assert.throws(() => loadConfig({ AGENT_MEMORY_TOKENS: 'lots' }), /AGENT_MEMORY_TOKENS must be a whole number/);
    assert.throws(() => loadConfig({ MODEL_PROVIDER: 'openai' }), /MODEL_PROVIDER must be "offline" or "bedrock"/);
  });
});
