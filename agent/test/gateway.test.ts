import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { LOCAL_RUNTIME_ARN } from '../../protocol/local-runtime.ts';
import { type RunningGateway, createGateway, listenGateway } from '../src/gateway.ts';

describe('local AgentCore gateway', () => {
  let gateway: RunningGateway;
  let client: BedrockAgentCoreClient;
  before(async () => {
    // Nothing listens on port 9 (discard): the runtime is unreachable.
    gateway = await listenGateway(createGateway({ runtimeUrl: 'http://127.0.0.1:9' }), 0, '127.0.0.1');
    client = new BedrockAgentCoreClient({
      region: 'us-east-1',
      endpoint: gateway.url,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  after(async () => {
    client.destroy();
    await gateway.close();
  });

  const invoke = (agentRuntimeArn: string, qualifier = 'DEFAULT') =>
    client.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn,
        qualifier,
        contentType: 'application/json',
        accept: 'text/event-stream',
        payload: new TextEncoder().encode('{"prompt":"hi"}'),
      }),
    );

  it('answers an unknown runtime ARN as AgentCore does: ResourceNotFoundException', async () => {
    await assert.rejects(invoke(LOCAL_RUNTIME_ARN.replace('local', 'other')), { name: 'ResourceNotFoundException' });
  });

  it('answers an unknown endpoint qualifier with ResourceNotFoundException', async () => {
    await assert.rejects(invoke(LOCAL_RUNTIME_ARN, 'PROD'), { name: 'ResourceNotFoundException' });
  });

  it('answers RuntimeClientError when the runtime cannot be reached', async () => {
    await assert.rejects(invoke(LOCAL_RUNTIME_ARN), { name: 'RuntimeClientError' });
  });

  it('refuses a request that is not SigV4-signed', async () => {
    const response = await fetch(`${gateway.url}/runtimes/${encodeURIComponent(LOCAL_RUNTIME_ARN)}/invocations`, {
      method: 'POST',
      body: '{}',
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  });
});
