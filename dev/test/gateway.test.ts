import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { LOCAL_RUNTIME_ARN } from '../local-runtime.ts';
import { type RunningGateway, createGateway, listenGateway } from '../agentcore/gateway.ts';
import { buildGraph } from '../../agent/src/graph.ts';
import { type RunningRuntime, createRuntime } from '../../agent/src/runtime.ts';
import { tools } from '../../agent/src/tools.ts';
import { freePort } from '../support/free-port.ts';
import { rawConnection } from '../support/raw-socket.ts';
import { TickerChatModel, until } from '../../agent/test/support/models.ts';

/** The AWS SDK's AgentCore client, pointed at the gateway, making one attempt per call. */
const sdkClient = (endpoint: string) =>
  new BedrockAgentCoreClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

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
    await until(
      async () => (await (await fetch(`${runtime.url}/ping`)).json()).status === 'Healthy',
      'the runtime is idle',
    );
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

describe('local AgentCore gateway: whatever a request holds, it answers, and it listens on this machine only', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';
  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The process `npm start` runs, with its defaults: a request that killed it would take the stack down.
    child = spawn(process.execPath, ['--import', 'tsx', 'dev/agentcore/gateway-main.ts'], {
      env: { PATH: process.env.PATH, GATEWAY_PORT: String(port), AGENT_RUNTIME_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await until(() => output.includes('local AgentCore gateway on'), 'the gateway to listen', 30_000);
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  const arn = encodeURIComponent(LOCAL_RUNTIME_ARN);
  const signed = 'Authorization: AWS4-HMAC-SHA256 Credential=local\r\nContent-Type: application/json\r\n';
  const post = (target: string, headers = signed) =>
    `POST ${target} HTTP/1.1\r\nHost: gateway\r\n${headers}Content-Length: 2\r\nConnection: close\r\n\r\n{}`;
  const bad: [name: string, request: string, status: number][] = [
    ['an ARN that is not valid percent-encoding (%E0%A4%A)', post('/runtimes/%E0%A4%A/invocations'), 400],
    ['a lone % in the ARN', post('/runtimes/%/invocations'), 400],
    ['a request target that is no URL', post('http://[::1/runtimes/x/invocations'), 400],
    ['a qualifier that is no endpoint name', post(`/runtimes/${arn}/invocations?qualifier=a;b`), 400],
    ['a qualifier of percent garbage', post(`/runtimes/${arn}/invocations?qualifier=%ZZ`), 400],
    [
      'a runtime session id too short for AgentCore',
      post(`/runtimes/${arn}/invocations`, `${signed}X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: short\r\n`),
      400,
    ],
    [
      'a runtime session id too long',
      post(
        `/runtimes/${arn}/invocations`,
        `${signed}X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: ${'s'.repeat(300)}\r\n`,
      ),
      400,
    ],
    [
      'a runtime session id with spaces (two headers joined)',
      post(
        `/runtimes/${arn}/invocations`,
        `${signed}X-Amzn-Bedrock-AgentCore-Runtime-Session-Id: ${'a'.repeat(40)}\r\nX-Amzn-Bedrock-AgentCore-Runtime-Session-Id: ${'b'.repeat(40)}\r\n`,
      ),
      400,
    ],
    ['a header line that is not HTTP', 'POST / HTTP/1.1\r\nHost: gateway\r\nnot a header\r\n\r\n', 400],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400],
  ];
  for (const [name, request, status] of bad) {
    it(`answers ${status} to ${name}, and goes on`, async () => {
      const connection = await rawConnection(url);
      connection.socket.end(request);
      await connection.closed;
      assert.match(connection.received, new RegExp(`^HTTP/1.1 ${status} `), connection.received);
      assert.equal(child.exitCode, null, `the gateway exited:\n${output}`);
      assert.equal((await fetch(`${url}/ping`)).status, 200);
    });
  }

  it('listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    await assert.rejects(rawConnection(url.replace('127.0.0.1', '127.0.0.2')), { code: 'ECONNREFUSED' });
  });
});
