import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { LOCAL_RUNTIME_ARN } from '../../protocol/local-runtime.ts';
import { type RunningGateway, createGateway, listenGateway } from '../src/gateway.ts';
import { buildGraph } from '../src/graph.ts';
import { type RunningRuntime, createRuntime } from '../src/runtime.ts';
import { tools } from '../src/tools.ts';
import { TickerChatModel, until } from './support/models.ts';

/** The AWS SDK's AgentCore client, pointed at the gateway, making one attempt per call. */
const sdkClient = (endpoint: string) =>
  new BedrockAgentCoreClient({ region: 'us-east-1', endpoint, maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('local AgentCore gateway', () => {
  let gateway: RunningGateway;
  let client: BedrockAgentCoreClient;
  before(async () => {
    // Nothing listens on port 9 (discard): the runtime is unreachable.
    gateway = await listenGateway(createGateway({ runtimeUrl: 'http://127.0.0.1:9' }), 0, '127.0.0.1');
    client = sdkClient(gateway.url);
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

describe('local AgentCore gateway: a caller that hangs up', () => {
  const model = new TickerChatModel({ silent: true });
  let runtime: RunningRuntime;
  let gateway: RunningGateway;
  let client: BedrockAgentCoreClient;
  before(async () => {
    runtime = await createRuntime({ graph: buildGraph({ model, tools }), logging: false }).listen(0, '127.0.0.1');
    gateway = await listenGateway(createGateway({ runtimeUrl: runtime.url }), 0, '127.0.0.1');
    client = sdkClient(gateway.url);
  });
  after(async () => {
    model.halt();
    client.destroy();
    await gateway.close();
    await runtime.close();
  });

  const invoke = (accept: string, signal: AbortSignal) =>
    client.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: LOCAL_RUNTIME_ARN,
        runtimeSessionId: 'hang-up-session-0123456789abcdef0123456789',
        contentType: 'application/json',
        accept,
        payload: new TextEncoder().encode('{"prompt":"think"}'),
      }),
      // Through the AWS SDK with an abort signal, as the BFF's calls are.
      { abortSignal: signal },
    );

  const stopsTheModel = async (hangUp: () => void) => {
    const before = model.produced;
    await until(() => model.producing === 1 && model.produced >= before + 3, 'the model is working');
    hangUp();
    await until(() => model.producing === 0, 'the model call stopped');
    await until(async () => (await (await fetch(`${runtime.url}/ping`)).json()).status === 'Healthy', 'the runtime is idle');
  };

  it('mid-stream: the run in the runtime is cancelled and the model stops', async () => {
    const controller = new AbortController();
    const response = await invoke('text/event-stream', controller.signal);
    const body = (response.response as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    assert.match(new TextDecoder().decode((await body.next()).value), /AGENT_START/);
    await stopsTheModel(() => controller.abort());
  });

  it('before any answer (a JSON call): the run is cancelled too', async () => {
    const controller = new AbortController();
    const answered = assert.rejects(invoke('application/json', controller.signal), { name: 'AbortError' });
    await stopsTheModel(() => controller.abort());
    await answered;
  });
});
