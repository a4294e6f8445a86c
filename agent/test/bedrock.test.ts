import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import { parseSse } from '../../protocol/sse.ts';
import { runAgent } from '../src/agent-events.ts';
import { loadConfig } from '../src/configuration.ts';
import { buildGraph } from '../src/graph.ts';
import { createModel } from '../src/model.ts';
import { SYSTEM_PROMPT } from '../src/prompts.ts';
import { createRuntime } from '../src/runtime.ts';
import { tools } from '../src/tools.ts';
import {
  type FakeBedrock,
  type Reply,
  startFakeBedrock,
  textDeltas,
  textTurn,
  toolUseTurn,
} from './support/fake-bedrock.ts';
import { until } from './support/models.ts';

const REGION = 'eu-west-3';
const MODEL_ID = 'anthropic.claude-test-v1:0';
const credentials = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' };

/** The agent exactly as main.ts builds it with MODEL_PROVIDER=bedrock, pointed at `fake`. */
function bedrockGraph(fake: FakeBedrock) {
  const config = loadConfig({
    MODEL_PROVIDER: 'bedrock',
    BEDROCK_MODEL_ID: MODEL_ID,
    AWS_REGION: REGION,
    BEDROCK_ENDPOINT_URL: fake.url,
  });
  return buildGraph({ model: createModel(config, { credentials }), tools });
}

async function run(fake: FakeBedrock, prompt: string): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of runAgent(bedrockGraph(fake), { prompt, sessionId: 'bedrock-session' })) events.push(e);
  return events;
}

describe('MODEL_PROVIDER=bedrock, against a local ConverseStream endpoint', () => {
  const fakes: FakeBedrock[] = [];
  const fake = async (reply: (n: number) => Reply) => {
    const started = await startFakeBedrock((_call, n) => reply(n));
    fakes.push(started);
    return started;
  };
  after(() => Promise.all(fakes.map((f) => f.close())));

  it('streams a tool-use turn and a text turn through ChatBedrockConverse, the graph and runAgent', async () => {
    const bedrock = await fake((n) =>
      n === 1
        ? { frames: toolUseTurn('tooluse_5plus5', 'calculator', ['{"expres', 'sion": "5', '+5"}']) }
        : { frames: textTurn(['The ', 'result ', 'is ', '10.']) },
    );
    const events = await run(bedrock, 'What is 5+5?');

    assert.deepEqual(
      events.map((e) => e.event),
      [
        'AGENT_START',
        'TOOL_CALL',
        'TOOL_RESULT',
        'LLM_TOKEN',
        'LLM_TOKEN',
        'LLM_TOKEN',
        'LLM_TOKEN',
        'LLM_RESPONSE',
        'AGENT_END',
      ],
    );
    const data = events.map((e) => {
      const { timestamp, ...rest } = e.data;
      return rest;
    });
    // The tool call was assembled from Bedrock's toolUse start and input deltas.
    assert.deepEqual(data[1], { id: 'tooluse_5plus5', tool: 'calculator', args: { expression: '5+5' } });
    assert.deepEqual(data[2], { id: 'tooluse_5plus5', tool: 'calculator', result: '10' });
    assert.deepEqual(data.slice(3, 7), [{ delta: 'The ' }, { delta: 'result ' }, { delta: 'is ' }, { delta: '10.' }]);
    assert.deepEqual(data[7], { content: 'The result is 10.' });
    assert.deepEqual(data[8], { output: 'The result is 10.' });

    // What Bedrock was sent: the model, the region (in the SigV4 scope), the prompt, the tools…
    assert.equal(bedrock.calls.length, 2);
    const [first, second] = bedrock.calls;
    assert.equal(first!.path, `/model/${MODEL_ID}/converse-stream`);
    assert.match(
      String(first!.headers.authorization),
      new RegExp(`Credential=${credentials.accessKeyId}/\\d{8}/${REGION}/bedrock/aws4_request`),
    );
    assert.deepEqual(first!.body.messages, [{ role: 'user', content: [{ text: 'What is 5+5?' }] }]);
    assert.equal(first!.body.system?.[0]?.text, SYSTEM_PROMPT);
    assert.deepEqual(
      first!.body.toolConfig?.tools.map((t) => t.toolSpec?.name),
      ['calculator', 'current_time', 'save_note', 'list_notes', 'suggest_follow_ups'],
    );
    // …and, on the second call, the tool's result paired with Bedrock's toolUseId.
    assert.deepEqual(second!.body.messages.slice(1), [
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'tooluse_5plus5', name: 'calculator', input: { expression: '5+5' } } }],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_5plus5', content: [{ text: '10' }] } }] },
    ]);
  });

  const failures: Array<[string, Reply, string]> = [
    [
      'a throttled call',
      { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, please wait.' },
      'model_throttled',
    ],
    [
      'an outage',
      { status: 503, errorType: 'ServiceUnavailableException', message: 'Service unavailable' },
      'model_unavailable',
    ],
    [
      'missing model access',
      {
        status: 403,
        errorType: 'AccessDeniedException',
        message: 'arn:aws:iam::123456789012:role/x is not authorized',
      },
      'model_access_denied',
    ],
    [
      'a request Bedrock refuses',
      { status: 400, errorType: 'ValidationException', message: 'Input is too long for requested model.' },
      'model_rejected',
    ],
  ];
  for (const [what, reply, code] of failures) {
    it(`reports ${what} as AGENT_ERROR ${code}, without Bedrock's words`, async () => {
      const events = await run(await fake(() => reply), 'hello');
      assert.deepEqual(
        events.map((e) => e.event),
        ['AGENT_START', 'AGENT_ERROR', 'AGENT_END'],
      );
      const error = events[1]!.data as { code: string; message: string };
      assert.equal(error.code, code);
      assert.ok(!('message' in reply) || !error.message.includes(reply.message));
      assert.doesNotMatch(error.message, /arn:|123456789012/);
    });
  }

  it('reports a stream that breaks mid-answer as model_unavailable, after the tokens that came', async () => {
    const bedrock = await fake(() => ({
      frames: [
        { event: 'messageStart', body: { role: 'assistant' } },
        ...textDeltas(['Half ', 'an ']),
        {
          exception: 'modelStreamErrorException',
          body: { message: 'The model stream broke', originalStatusCode: 500 },
        },
      ],
    }));
    const events = await run(bedrock, 'hello');
    assert.deepEqual(
      events.map((e) => e.event),
      ['AGENT_START', 'LLM_TOKEN', 'LLM_TOKEN', 'AGENT_ERROR', 'AGENT_END'],
    );
    assert.equal((events[3]!.data as { code: string }).code, 'model_unavailable');
  });

  it('cancels the Bedrock call when the caller of the runtime hangs up', async () => {
    const bedrock = await fake(() => ({
      endless: (i) =>
        i === 0 ? { event: 'messageStart', body: { role: 'assistant' } } : textDeltas([`word${i} `])[0]!,
      intervalMs: 10,
    }));
    const runtime = await createRuntime({ graph: bedrockGraph(bedrock), logging: false }).listen(0, '127.0.0.1');
    try {
      const controller = new AbortController();
      const response = await fetch(`${runtime.url}/invocations`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-amzn-bedrock-agentcore-runtime-session-id': 'bedrock-hang-up-0123456789abcdef0123456789',
        },
        body: JSON.stringify({ prompt: 'Talk forever.' }),
        signal: controller.signal,
      });
      let tokens = 0;
      const reading = (async () => {
        for await (const m of parseSse(response.body! as unknown as AsyncIterable<Uint8Array>))
          if (m.event === 'LLM_TOKEN') tokens++;
      })().catch(() => {});
      await until(() => tokens >= 3, 'Bedrock tokens stream through the runtime');
      assert.equal(bedrock.dropped, 0);
      controller.abort();
      await reading;
      await until(() => bedrock.dropped === 1, 'the runtime hung up on Bedrock');
      await until(
        async () => (await (await fetch(`${runtime.url}/ping`)).json()).status === 'Healthy',
        'the run ended',
      );
    } finally {
      await runtime.close();
    }
  });
});
