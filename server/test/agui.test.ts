import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpAgent } from '@ag-ui/client';
import type { AGUIEvent, RunAgentInput } from '@ag-ui/core';
import { AGUI_MAX_BODY_BYTES } from '../../protocol/ag-ui.ts';
import { SseParser } from '../../protocol/sse.ts';
import { type Bff, startBff, useFakeBff, withFakeBff } from '../../test/support/bff.ts';
import {
  type FakeAgentCore,
  LEAKY_DETAIL,
  type UpstreamCall,
  agUiAnswer,
  failWith,
  stallAfterStart,
  startFakeAgentCore,
} from '../../test/support/fake-agentcore.ts';
import { ChatStream, type RequestOptions, send } from '../../test/support/http-client.ts';
import { type JwksServer, startJwksServer } from '../../test/support/jwks-server.ts';
import { waitFor } from '../../test/support/wait.ts';
import { runtimeSessionId } from '../src/session-id.ts';

/**
 * `POST /v1/agui` against a fault-injecting fake AgentCore (the real AWS SDK, the real Express app):
 * what reaches the agent, what reaches the client, and every guard the chat route has. The official
 * client, @ag-ui/client's HttpAgent (which enforces the event schemas and their order), reads the
 * streams wherever a client's view matters.
 */

const SHOP = 'https://shop.example.com';

function input(text = 'Hi', more: Partial<RunAgentInput> = {}): RunAgentInput {
  return {
    threadId: 'thread-1',
    runId: 'run-1',
    messages: [{ id: 'm1', role: 'user', content: text }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
    ...more,
  };
}

const post = (bff: Bff, body: unknown, headers: Record<string, string> = {}, raw = false) =>
  send(bff.url, {
    path: '/v1/agui',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: raw ? (body as string) : JSON.stringify(body),
  });

/** A POST's stream: each event's id and data, parsed. */
async function stream(bff: Bff, body: unknown, headers: Record<string, string> = {}) {
  const answer = await post(bff, body, headers);
  const parser = new SseParser();
  const events = [...parser.feed(answer.raw), ...parser.end()].map(({ id, event, data }) => ({
    id,
    event,
    data: JSON.parse(data),
  }));
  return { ...answer, events, types: events.map((e) => e.data.type as string) };
}

/** The ids the agent echoes, from what the BFF sent it. */
const ids = (call: UpstreamCall) => {
  const { threadId, runId } = call.payload as RunAgentInput;
  return { threadId, runId };
};

/** A normal AG-UI run, as the agent streams one: the answer's words as TEXT_MESSAGE_CONTENT. */
const answerRun = (text = 'Hello there.') =>
  agUiAnswer((call) => [
    { type: 'RUN_STARTED', ...ids(call) },
    { type: 'TEXT_MESSAGE_START', messageId: 'msg-1', role: 'assistant' },
    ...(text.match(/\S+\s*/g) ?? []).map((delta) => ({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'msg-1', delta })),
    { type: 'TEXT_MESSAGE_END', messageId: 'msg-1' },
    { type: 'RUN_FINISHED', ...ids(call) },
  ]);

/** The official client on the BFF's endpoint, with the conversation so far. */
function httpAgent(bff: Bff, threadId: string, text = 'Hi', headers: Record<string, string> = {}): HttpAgent {
  const agent = new HttpAgent({ url: `${bff.url}/v1/agui`, threadId, headers });
  agent.addMessage({ id: 'q1', role: 'user', content: text });
  return agent;
}

describe('POST /v1/agui: what reaches the agent', () => {
  const suite = useFakeBff();

  it('sends the RunAgentInput byte for byte as it came, JSON and event stream, under the runtime session threadId names', async () => {
    // Odd spacing, escapes, fields the agent ignores and one AG-UI added later: none of it is the BFF's to change.
    const body =
      '{ "threadId":"t-bytes", "runId" : "r1","messages":[{"id":"m1","role":"user","content":"caf\\u00e9 \\ud83d\\ude00 ok"}],' +
      '"protocolVersion":"1.0","state":{"deep":{"x":[1,2,{"y":null}]}},"forwardedProps":{"k":"v"},"context":[{"description":"d","value":"v"}],"tools":[],"futureField":true}';
    suite.fake.next(answerRun());
    const answer = await post(suite.bff, body, {}, true);
    assert.equal(answer.status, 200, answer.raw);
    const call = suite.fake.calls.at(-1)!;
    assert.ok(call.body.equals(Buffer.from(body)), 'the payload is the bytes sent');
    assert.equal(call.req.headers['content-type'], 'application/json');
    assert.equal(call.req.headers.accept, 'text/event-stream');
    assert.equal(call.runtimeSessionId, runtimeSessionId(suite.bff.config.sessionSecret, 't-bytes'));

    // The same id on the chat route is the same conversation.
    const chat = new ChatStream(suite.bff.url, { message: 'Hi', session_id: 't-bytes' });
    await chat.finished;
    assert.equal(suite.fake.calls.at(-1)!.runtimeSessionId, call.runtimeSessionId);
  });

  it('relays the agent events as they come: one data line each, numbered <run id>:<sequence>, the HttpAgent reading the conversation from them', async () => {
    suite.fake.next(answerRun('The answer is 42.'));
    const { headers, events, raw } = await stream(suite.bff, input('What is 6*7?', { threadId: 'relay' }));
    assert.match(String(headers['content-type']), /^text\/event-stream/);
    assert.equal(headers['cache-control'], 'no-cache, no-transform');
    const runId = events[0]!.id!.split(':')[0]!;
    assert.match(runId, /^[\w-]{22}$/, "the run store's id: 128 random bits");
    assert.deepEqual(
      events.map((e) => e.id),
      events.map((_, i) => `${runId}:${i + 1}`),
    );
    assert.ok(
      events.every((e) => e.event === 'message'),
      'no event: lines',
    );
    assert.doesNotMatch(raw, /^event:/m);
    assert.deepEqual(events.at(0)!.data.type, 'RUN_STARTED');
    assert.deepEqual(events.at(-1)!.data.type, 'RUN_FINISHED');

    suite.fake.next(answerRun('The answer is 42.'));
    const agent = httpAgent(suite.bff, 'relay-client', 'What is 6*7?');
    const { newMessages } = await agent.runAgent();
    assert.deepEqual(
      newMessages.map((m) => [m.role, m.content]),
      [['assistant', 'The answer is 42.']],
    );
  });
});

/** Each refused before any stream, with its status and code. */
const REFUSED: [name: string, request: RequestOptions, status: number, code: string, says?: RegExp][] = (() => {
  const json = (body: unknown): RequestOptions => ({
    path: '/v1/agui',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const deep: Record<string, unknown> = { type: 'object' };
  let node = deep;
  for (let i = 0; i < 20; i++) node = (node.properties = { a: { type: 'object' } }).a as Record<string, unknown>;
  const tool = { name: 'set_color', description: 'Sets a colour.', parameters: { type: 'object', properties: {} } };
  return [
    ['GET', { method: 'GET', path: '/v1/agui' }, 405, 'method_not_allowed'],
    ['no Content-Type', { path: '/v1/agui', body: JSON.stringify(input()) }, 415, 'unsupported_media_type'],
    [
      'Accept: application/json only',
      { ...json(input()), headers: { 'content-type': 'application/json', accept: 'application/json' } },
      406,
      'not_acceptable',
    ],
    [
      'broken JSON',
      { ...json(null), body: '{"threadId": "t"' },
      400,
      'invalid_run_input',
      /not valid JSON.*RunAgentInput/,
    ],
    ['a JSON array', json([input()]), 400, 'invalid_run_input', /expected object/],
    [
      'no runId',
      json({ threadId: 't', messages: [] }),
      400,
      'invalid_run_input',
      /not a valid AG-UI RunAgentInput: runId:/,
    ],
    ['messages not a list', json(input('x', { messages: 'hi' as never })), 400, 'invalid_run_input', /messages:/],
    [
      'a message of an unknown role',
      json(input('x', { messages: [{ id: 'm', role: 'robot', content: 'x' } as never] })),
      400,
      'invalid_run_input',
      /messages\.0/,
    ],
    [
      'nothing to run: the last message is the assistant’s, no resume',
      json(input('x', { messages: [{ id: 'm', role: 'assistant', content: 'hello' }] })),
      400,
      'invalid_run_input',
      /last message of the RunAgentInput must be a user message/,
    ],
    ['no messages at all', json(input('x', { messages: [] })), 400, 'invalid_run_input', /must be a user message/],
    ['a blank question', json(input('  \n ')), 400, 'invalid_run_input', /must be a user message/],
    [
      '17 page tools',
      json(input('x', { tools: Array.from({ length: 17 }, (_, i) => ({ ...tool, name: `t${i}` })) })),
      400,
      'invalid_run_input',
      /Bad page tools: at most 16 tools/,
    ],
    [
      'a page tool with a bad name',
      json(input('x', { tools: [{ ...tool, name: 'has space' }] })),
      400,
      'invalid_run_input',
      /name must be 1-64/,
    ],
    [
      'page tool parameters nested 22 deep',
      json(input('x', { tools: [{ ...tool, parameters: deep }] })),
      400,
      'invalid_run_input',
      /nest deeper than 16 levels/,
    ],
    [
      'a resume whose payload is not an approval',
      json(input('x', { resume: [{ interruptId: 'i1', status: 'resolved', payload: { yes: 1 } }] })),
      400,
      'invalid_run_input',
      /payload must be \{approved: boolean/,
    ],
    [
      'a resume note of 1001 characters',
      json(
        input('x', {
          resume: [{ interruptId: 'i1', status: 'resolved', payload: { approved: false, note: 'n'.repeat(1001) } }],
        }),
      ),
      400,
      'invalid_run_input',
      /note of at most 1000/,
    ],
    ['a threadId with a space', json(input('x', { threadId: 'a b' })), 400, 'invalid_id', /"threadId" must be 1–256/],
    ['a runId of 257 characters', json(input('x', { runId: 'r'.repeat(257) })), 400, 'invalid_id', /"runId"/],
    ['a question of 16001 characters', json(input('q'.repeat(16_001))), 400, 'message_too_long', /16000/],
    [
      `a body over ${AGUI_MAX_BODY_BYTES} bytes`,
      json(input('x', { state: { pad: 'x'.repeat(AGUI_MAX_BODY_BYTES) } })),
      413,
      'body_too_large',
      new RegExp(`at most ${AGUI_MAX_BODY_BYTES} bytes`),
    ],
    [
      'an Origin not on the list',
      { ...json(input()), headers: { 'content-type': 'application/json', origin: 'https://evil.example' } },
      403,
      'origin_not_allowed',
    ],
    [
      'a preflight from an origin not on the list',
      {
        method: 'OPTIONS',
        path: '/v1/agui',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      },
      403,
      'origin_not_allowed',
    ],
  ];
})();

describe('POST /v1/agui: what it refuses', () => {
  const suite = useFakeBff({ ALLOWED_ORIGINS: SHOP });

  it(`answers ${REFUSED.length} bad requests with their status and a code and sentence saying what was wrong, before any agent runs`, async () => {
    for (const [name, request, status, code, says] of REFUSED) {
      const answer = await send(suite.bff.url, request);
      assert.equal(answer.status, status, `${name}: ${answer.raw.slice(0, 300)}`);
      assert.equal(answer.json?.error?.code, code, name);
      assert.match(answer.json.error.message, says ?? /\w{3,}.*\w{3,}/, name);
    }
    assert.equal(suite.fake.calls.length, 0, 'no bad request reached AgentCore');
  });

  it('takes what a paused run waits for: a resume alone, or page tool results after the last assistant message', async () => {
    const resume = input('x', {
      messages: [],
      resume: [{ interruptId: 'tooluse_1', status: 'resolved', payload: { approved: true, note: 'ok' } }],
    });
    const results = input('x', {
      messages: [
        { id: 'm1', role: 'user', content: 'Make the page green' },
        {
          id: 'm2',
          role: 'assistant',
          toolCalls: [{ id: 'c1', type: 'function', function: { name: 'set_color', arguments: '{}' } }],
        },
        { id: 'm3', role: 'tool', toolCallId: 'c1', content: 'done' },
      ],
    });
    for (const body of [resume, results]) {
      suite.fake.next(answerRun());
      const { status, types } = await stream(suite.bff, body);
      assert.equal(status, 200);
      assert.equal(types.at(-1), 'RUN_FINISHED');
    }
  });

  it("answers an allowed origin's preflight, and streams to it with its origin echoed", async () => {
    const preflight = await send(suite.bff.url, {
      method: 'OPTIONS',
      path: '/v1/agui',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], SHOP);
    suite.fake.next(answerRun());
    const answer = await stream(suite.bff, input(), { origin: SHOP });
    assert.equal(answer.headers['access-control-allow-origin'], SHOP);
    assert.equal(answer.types.at(-1), 'RUN_FINISHED');
  });
});

describe('POST /v1/agui: failures become RUN_ERROR, with our codes and sentences only', () => {
  const suite = useFakeBff({ STREAM_IDLE_TIMEOUT_MS: '600', HEARTBEAT_MS: '100' });

  it("passes the agent's RUN_ERROR on as the code's fixed sentence, AgentCore's as agent_failed, anything else as agent_error", async () => {
    const error = (code: string, message: string, retryable: boolean) => ({ code, message, metadata: { retryable } });
    const cases: Array<[code: unknown, expected: ReturnType<typeof error>]> = [
      ['model_throttled', error('model_throttled', 'The model is busy right now. Try again shortly.', true)],
      ['AGENT_ERROR', error('agent_failed', 'The assistant failed to answer. Try again.', true)],
      ['KABOOM', error('agent_error', 'The agent failed while answering.', false)],
      [undefined, error('agent_error', 'The agent failed while answering.', false)],
    ];
    for (const [code, expected] of cases) {
      suite.fake.next(
        agUiAnswer((call) => [
          { type: 'RUN_STARTED', ...ids(call) },
          { type: 'RUN_ERROR', code, message: `Provider said: ${LEAKY_DETAIL}`, rawEvent: { detail: LEAKY_DETAIL } },
          { type: 'TEXT_MESSAGE_START', messageId: 'late', role: 'assistant' },
        ]),
      );
      const { types, events, raw } = await stream(suite.bff, input());
      assert.deepEqual(types, ['RUN_STARTED', 'RUN_ERROR'], `${code}: nothing after the last event`);
      const { type: _, timestamp, ...sent } = events[1]!.data;
      assert.deepEqual(sent, expected, String(code));
      assert.equal(typeof timestamp, 'number');
      assert.ok(!raw.includes('123456789012') && !raw.includes('Provider said'), 'no upstream words');
    }
  });

  it('ends a stream that stops before RUN_FINISHED with upstream_incomplete, after what arrived', async () => {
    suite.fake.next(
      agUiAnswer((call) => [
        { type: 'RUN_STARTED', ...ids(call) },
        { type: 'TEXT_MESSAGE_START', messageId: 'm', role: 'assistant' },
        { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'Half' },
      ]),
    );
    const { types, events } = await stream(suite.bff, input());
    assert.deepEqual(types, ['RUN_STARTED', 'TEXT_MESSAGE_START', 'TEXT_MESSAGE_CONTENT', 'RUN_ERROR']);
    assert.equal(events.at(-1)!.data.code, 'upstream_incomplete');
  });

  it('fails on data that is not an AG-UI event with upstream_malformed, after the events before it', async () => {
    for (const garbage of [
      'data: {"type": "TEXT_MESS\n\n',
      'data: ["not an object"]\n\n',
      'data: {"delta":"no type"}\n\n',
    ]) {
      suite.fake.next(
        agUiAnswer(
          (call) => [{ type: 'RUN_STARTED', ...ids(call) }],
          async (call) => {
            await call.raw(garbage);
            call.end();
          },
        ),
      );
      const { types, events } = await stream(suite.bff, input());
      assert.deepEqual(types, ['RUN_STARTED', 'RUN_ERROR'], garbage);
      assert.equal(events.at(-1)!.data.code, 'upstream_malformed');
    }
  });

  it('sends an event spread over several data lines as one line, and tolerates comments and named events it does not know', async () => {
    suite.fake.next(
      agUiAnswer(
        (call) => [{ type: 'RUN_STARTED', ...ids(call) }],
        async (call) => {
          await call.raw(': a comment\n\nevent: vendor-thing\ndata: {}\n\n');
          await call.raw('data: {"type": "CUSTOM",\ndata:  "name": "x", "value": {"a": 1}}\n\n');
          await call.raw(`data: ${JSON.stringify({ type: 'RUN_FINISHED', ...ids(call) })}\n\n`);
          call.end();
        },
      ),
    );
    const { types, events, raw } = await stream(suite.bff, input());
    assert.deepEqual(types, ['RUN_STARTED', 'CUSTOM', 'RUN_FINISHED']);
    assert.deepEqual(events[1]!.data, { type: 'CUSTOM', name: 'x', value: { a: 1 } });
    assert.doesNotMatch(raw, /vendor-thing|a comment/);
  });

  it('writes the last event with its type first, however the agent wrote it: readers and the run store tell the end by it', async () => {
    suite.fake.next(
      agUiAnswer(
        (call) => [{ type: 'RUN_STARTED', ...ids(call) }],
        async (call) => {
          const { threadId, runId } = ids(call);
          await call.raw(`data: ${JSON.stringify({ threadId, runId, type: 'RUN_FINISHED' })}\n\n`);
          call.end();
        },
      ),
    );
    const { events, raw } = await stream(suite.bff, input('Hi', { threadId: 'type-first' }));
    assert.deepEqual(events.at(-1)!.data, { type: 'RUN_FINISHED', threadId: 'type-first', runId: 'run-1' });
    assert.match(raw, /\ndata: \{"type":"RUN_FINISHED","threadId":"type-first","runId":"run-1"\}\n\n$/);
    // A reader after the end gets the whole run, and it ends (the store knew its last frame).
    const again = ChatStream.resume(suite.bff.url, events[0]!.id!.split(':')[0]!);
    await again.finished;
    assert.deepEqual(
      again.events.map((e) => e.data),
      events.map((e) => e.data),
    );
  });

  it("reports the runtime's own error event as agent_failed", async () => {
    suite.fake.next(
      agUiAnswer(
        (call) => [{ type: 'RUN_STARTED', ...ids(call) }],
        async (call) => {
          await call.raw(`event: error\ndata: {"error": "${LEAKY_DETAIL}"}\n\n`);
          call.end();
        },
      ),
    );
    const { events } = await stream(suite.bff, input());
    assert.equal(events.at(-1)!.data.code, 'agent_failed');
  });

  it('answers AgentCore refusing the call with a lone RUN_ERROR, which the HttpAgent takes as the run failing', async () => {
    const cases: Array<[status: number, type: string, code: string]> = [
      [429, 'ThrottlingException', 'throttled'],
      [500, 'InternalServerException', 'upstream_unavailable'],
      [403, 'AccessDeniedException', 'upstream_denied'],
    ];
    for (const [status, type, code] of cases) {
      suite.fake.next(failWith(status, type));
      const { events } = await stream(suite.bff, input());
      assert.deepEqual(
        events.map((e) => [e.data.type, e.data.code]),
        [['RUN_ERROR', code]],
      );
    }
    suite.fake.next(failWith(503, 'ServiceUnavailableException'));
    const errors: AGUIEvent[] = [];
    const agent = httpAgent(suite.bff, 'refused');
    await agent.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event) });
    assert.deepEqual(
      errors.map((e) => e.type === 'RUN_ERROR' && e.code),
      ['upstream_unavailable'],
    );
  });

  it('keeps a quiet stream alive with `: ping` comments, which the HttpAgent passes over, then ends a silent agent with upstream_timeout', async () => {
    suite.fake.next(
      agUiAnswer(
        (call) => [
          { type: 'RUN_STARTED', ...ids(call) },
          { type: 'TEXT_MESSAGE_START', messageId: 'm', role: 'assistant' },
        ],
        async (call) => {
          await new Promise((r) => setTimeout(r, 350));
          await call.raw(dataFrame({ type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'Slow but there.' }));
          await call.raw(dataFrame({ type: 'TEXT_MESSAGE_END', messageId: 'm' }));
          await call.raw(dataFrame({ type: 'RUN_FINISHED', ...ids(call) }));
          call.end();
        },
      ),
    );
    const agent = httpAgent(suite.bff, 'pings');
    const { newMessages } = await agent.runAgent();
    assert.deepEqual(
      newMessages.map((m) => m.content),
      ['Slow but there.'],
    );

    suite.fake.next(stallAfterStart);
    const { events, raw } = await stream(suite.bff, input('x', { threadId: 'silent' }));
    assert.match(raw, /^: ping\n\n/m);
    assert.equal(events.at(-1)!.data.code, 'upstream_timeout');
  });
});

const dataFrame = (event: Record<string, unknown>) =>
  `data: ${JSON.stringify({ ...event, timestamp: Date.now() })}\n\n`;

describe('POST /v1/agui: the guards of the chat route', () => {
  it('runs one run per conversation, across both routes: a threadId busy on either is 409 session_busy', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(stallAfterStart);
      const chat = new ChatStream(bff.url, { message: 'Hi', session_id: 'shared' });
      await waitFor(() => fake.calls.length === 1, 'the chat run started');
      const busy = await post(bff, input('x', { threadId: 'shared' }));
      assert.equal(busy.status, 409);
      assert.equal(busy.json.error.code, 'session_busy');
      chat.close();
      await fake.calls[0]!.aborted;
      await waitFor(() => bff.runs.size === 0, 'the lock is released');

      fake.next(
        agUiAnswer(
          (call) => [{ type: 'RUN_STARTED', ...ids(call) }],
          () => undefined,
        ),
      );
      const agUi = new AbortController();
      const pending = fetch(`${bff.url}/v1/agui`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input('x', { threadId: 'shared' })),
        signal: agUi.signal,
      });
      await waitFor(() => fake.calls.length === 2, 'the AG-UI run started');
      const second = await post(bff, input('y', { threadId: 'shared' }));
      assert.equal(second.status, 409);
      const again = new ChatStream(bff.url, { message: 'Hi', session_id: 'shared' });
      await again.finished;
      assert.equal(again.response?.statusCode, 409);
      agUi.abort();
      await pending.catch(() => undefined);
    });
  });

  it('aborts the agent call when the client hangs up (HttpAgent.abortRun), and lets the conversation go on', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(
        agUiAnswer(
          (call) => [
            { type: 'RUN_STARTED', ...ids(call) },
            { type: 'TEXT_MESSAGE_START', messageId: 'm', role: 'assistant' },
            { type: 'TEXT_MESSAGE_CONTENT', messageId: 'm', delta: 'Forever' },
          ],
          () => undefined,
        ),
      );
      const agent = httpAgent(bff, 'hang-up');
      const run = agent.runAgent({}, { onTextMessageContentEvent: () => void setTimeout(() => agent.abortRun(), 10) });
      await run;
      const abortedAt = await fake.calls[0]!.aborted;
      assert.ok(abortedAt > 0);
      await waitFor(() => bff.runs.size === 0, 'the lock is released');
      fake.next(answerRun('Back again.'));
      agent.addMessage({ id: 'q2', role: 'user', content: 'Still there?' });
      await agent.runAgent();
      assert.equal(agent.messages.at(-1)!.content, 'Back again.');
      await fake.settled();
    });
  });

  it('counts both routes against one rate limit', async () => {
    await withFakeBff({ RATE_LIMIT_MAX: '2' }, async (fake, bff) => {
      fake.next(answerRun());
      assert.equal((await post(bff, input())).status, 200);
      const chat = new ChatStream(bff.url, { message: 'Hi' });
      await chat.finished;
      assert.equal(chat.response?.statusCode, 200);
      const third = await post(bff, input());
      assert.equal(third.status, 429);
      assert.equal(third.json.error.code, 'rate_limited');
      assert.ok(Number(third.headers['retry-after']) >= 1);
    });
  });

  it('logs one line per request: path, outcome, events; never the body', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(answerRun('A secret answer.'));
      const ok = await post(bff, input('my secret question', { threadId: 'logged' }));
      fake.next(failWith(429, 'ThrottlingException'));
      await post(bff, input('x', { threadId: 'logged-2' }));
      await waitFor(() => bff.logs.filter((l) => l.msg === 'request').length === 2, 'two request lines');
      const lines = bff.logs.filter((l) => l.msg === 'request');
      assert.deepEqual(
        lines.map(({ path, status, outcome, events }) => ({ path, status, outcome, events })),
        [
          { path: '/v1/agui', status: 200, outcome: 'complete', events: 7 },
          { path: '/v1/agui', status: 200, outcome: 'throttled', events: 1 },
        ],
      );
      assert.equal(lines[0]!.request_id, ok.headers['x-request-id']);
      assert.ok(!JSON.stringify(bff.logs).includes('secret'), 'no question, no answer in the logs');
    });
  });
});

describe('POST /v1/agui in authenticated mode', () => {
  let idp: JwksServer;
  let fake: FakeAgentCore;
  let bff: Bff;
  before(async () => {
    idp = await startJwksServer();
    fake = await startFakeAgentCore();
    bff = await startBff(fake.url, idp.env);
  });
  after(async () => {
    await bff.close();
    await fake.close();
    await idp.close();
  });

  it('wants a bearer token, and keeps each user in a conversation of their own whatever threadId they send', async () => {
    const refused = await post(bff, input('x', { threadId: 'support' }));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], 'Bearer');
    for (const user of ['alice', 'bob']) {
      fake.next(answerRun());
      const token = await idp.provider.token(user);
      const agent = httpAgent(bff, 'support', 'Hi', { authorization: `Bearer ${token}` });
      await agent.runAgent();
      assert.equal(fake.calls.at(-1)!.runtimeSessionId, runtimeSessionId(bff.config.sessionSecret, 'support', user));
      assert.ok(!fake.calls.at(-1)!.body.includes(token), 'the token does not travel upstream');
    }
    assert.notEqual(fake.calls[0]!.runtimeSessionId, fake.calls[1]!.runtimeSessionId);
  });
});
