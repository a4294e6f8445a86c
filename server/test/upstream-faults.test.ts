import assert from 'node:assert/strict';
import { AGENT_ERRORS } from '../../protocol/agent-errors.ts';
import { describe, it } from 'node:test';
import { MAX_UPSTREAM_EVENT_BYTES } from '../src/agentcore.ts';
import { type Bff, startBff, useFakeBff, withFakeBff } from '../../test/support/bff.ts';
import {
  type FakeAgentCore,
  LEAKY_DETAIL,
  type Script,
  answerBytes,
  drip,
  endWithoutAgentEnd,
  failWith,
  garbageAfterStart,
  hugeEvent,
  resetMidStream,
  stallAfterStart,
  stallBeforeHeaders,
  startFakeAgentCore,
} from '../../test/support/fake-agentcore.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { ChatStream } from '../../test/support/http-client.ts';
import { assertNoInternals } from '../../test/support/leaks.ts';

/**
 * Every way AgentCore can fail, injected by the fake endpoint and driven through the real BFF and
 * the real AWS SDK client. For each: the browser gets `error {code, message, retryable}` then
 * `done {status: "error"}` on a cleanly ended response, nothing internal leaks, the SDK made
 * exactly one attempt, no upstream connection is left open, and the next chat works.
 */

/**
 * The idle timeout of the BFF in the "quiet agent" tests: long against the drip's 10 ms gaps and
 * event-loop hiccups on a busy machine, short enough to keep the tests quick.
 */
const IDLE_MS = 600;
const HEARTBEAT_MS = 100;

let session = 0;

/** Runs one chat against the fake; returns the ended stream. */
async function chat(bff: Bff, sessionId = `fault-${++session}`): Promise<ChatStream> {
  const stream = new ChatStream(bff.url, { message: 'Hello there', session_id: sessionId });
  await stream.finished;
  assert.equal(stream.response?.statusCode, 200);
  assert.ok(stream.response?.complete, 'the response ended cleanly, not cut');
  return stream;
}

/** The fault's run: one error with this code and retryability, then done: error. */
async function expectFault(
  bff: Bff,
  fake: FakeAgentCore,
  script: Script,
  code: string,
  retryable: boolean,
): Promise<ChatStream> {
  const callsBefore = fake.calls.length;
  fake.next(script);
  const sessionId = `fault-${++session}`;
  const stream = await chat(bff, sessionId);
  const names = stream.events.map((e) => e.event);
  assert.equal(names[0], 'start');
  assert.deepEqual(names.slice(-2), ['error', 'done'], `events: ${names.join(', ')}`);
  assert.equal(names.filter((n) => n === 'error').length, 1);
  const error = stream.find('error')!.data;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'retryable']);
  assert.equal(error.code, code);
  assert.equal(error.retryable, retryable);
  assert.match(error.message, /^[A-Z].{10,}[.!]$/, 'a sentence for a person');
  assert.deepEqual(stream.events.at(-1)!.data, { status: 'error' });
  assertNoInternals(stream.raw, [sessionId]);
  assert.equal(fake.calls.length - callsBefore, 1, 'exactly one upstream attempt (no SDK retry)');
  await expectHealthy(bff, fake);
  return stream;
}

/** No upstream connection left open, and the next chat is answered normally. */
async function expectHealthy(bff: Bff, fake: FakeAgentCore): Promise<void> {
  await fake.settled();
  const next = await chat(bff);
  assert.deepEqual(next.events.at(-1)!.data, { status: 'complete' });
  assert.equal(bff.runs.size, 0);
  await fake.settled();
}

describe('upstream faults, through the real SDK', () => {
  const suite = useFakeBff();

  it('a normal answer passes through: the SDK route, the ARN, the qualifier, the HMAC session id', async () => {
    const stream = await chat(suite.bff, 'normal-session');
    assert.deepEqual(
      stream.events.map((e) => e.event),
      ['start', 'agent_start', 'token', 'token', 'token', 'token', 'message', 'done'],
    );
    const call = suite.fake.calls.at(-1)!;
    assert.equal(call.arn, suite.bff.config.runtimeArn);
    assert.equal(call.qualifier, 'DEFAULT');
    assert.match(call.runtimeSessionId!, /^[0-9a-f]{64}$/);
    assert.deepEqual(call.payload, { prompt: 'Hello there' });
    assertNoInternals(stream.raw, ['normal-session']);
    await suite.fake.settled();
  });

  it("hands a finished run's upstream connection back to the SDK's pool for the next run", async () => {
    const pooled = await startFakeAgentCore({ keepAliveMs: 5000 });
    const local = await startBff(pooled.url);
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual((await chat(local)).events.at(-1)!.data, { status: 'complete' });
      const ports = new Set(pooled.calls.map((call) => call.req.socket.remotePort));
      assert.equal(ports.size, 1, 'one keep-alive connection served all three runs (no new handshake per run)');
    } finally {
      await local.close();
      await pooled.close();
    }
  });

  it('resets the connection mid-stream: what arrived is kept, then upstream_unreachable', async () => {
    const stream = await expectFault(suite.bff, suite.fake, resetMidStream, 'upstream_unreachable', true);
    assert.deepEqual(
      stream.events.map((e) => e.event),
      ['start', 'agent_start', 'token', 'error', 'done'],
    );
  });

  it('ends the response before AGENT_END: upstream_incomplete', async () => {
    await expectFault(suite.bff, suite.fake, endWithoutAgentEnd, 'upstream_incomplete', true);
  });

  it('sends an event that is not JSON: upstream_malformed', async () => {
    await expectFault(
      suite.bff,
      suite.fake,
      garbageAfterStart('event: LLM_TOKEN\ndata: {"delta": "unterminated\n\n'),
      'upstream_malformed',
      true,
    );
  });

  it('sends an event of the wrong shape: upstream_malformed', async () => {
    await expectFault(
      suite.bff,
      suite.fake,
      garbageAfterStart('event: TOOL_CALL\ndata: {"id": 7, "tool": "calculator"}\n\n'),
      'upstream_malformed',
      true,
    );
  });

  it(`sends an event larger than ${MAX_UPSTREAM_EVENT_BYTES} bytes: upstream_malformed, and the BFF stops reading it`, async () => {
    await expectFault(suite.bff, suite.fake, hugeEvent(4 * MAX_UPSTREAM_EVENT_BYTES), 'upstream_malformed', true);
    const call = suite.fake.calls.at(-2)!;
    assert.ok(call.abortedAt !== undefined, 'the upstream call was dropped mid-event');
  });

  it("reports a failure mid-stream (bedrock-agentcore's own error event): agent_failed", async () => {
    const stack = `Error: boom for ${LEAKY_DETAIL}\n    at handler (/app/agent.js:10:5)`;
    await expectFault(
      suite.bff,
      suite.fake,
      garbageAfterStart(`event: error\ndata: ${JSON.stringify({ error: stack })}\n\n`),
      'agent_failed',
      true,
    );
  });

  const agentFails =
    (code: string, message: string): Script =>
    async (call) => {
      call.open();
      await call.event('AGENT_START', { timestamp: '', session_id: 'x' });
      await call.event('AGENT_ERROR', { timestamp: '', code, message });
      await call.event('AGENT_END', { timestamp: '', output: '' });
      call.end();
    };

  it('sends AGENT_ERROR: its code and fixed sentence reach the browser, then done: error', async () => {
    const stream = await expectFault(
      suite.bff,
      suite.fake,
      agentFails('model_throttled', AGENT_ERRORS.model_throttled.message),
      'model_throttled',
      true,
    );
    assert.equal(stream.find('error')!.data.message, 'The model is busy right now. Try again shortly.');
  });

  it("sends AGENT_ERROR with words of its own: the browser gets the code's fixed sentence, or ours for an unknown code", async () => {
    const leak = `ValidationException: ${LEAKY_DETAIL}\n    at converse (/app/model.js:1:1)`;
    const known = await expectFault(suite.bff, suite.fake, agentFails('model_rejected', leak), 'model_rejected', false);
    assert.equal(known.find('error')!.data.message, AGENT_ERRORS.model_rejected.message);
    const unknown = await expectFault(suite.bff, suite.fake, agentFails('model_error', leak), 'agent_error', false);
    assert.equal(unknown.find('error')!.data.message, AGENT_ERRORS.agent_error.message);
  });

  const sdkErrors: [
    status: number,
    errorType: string | undefined,
    code: string,
    retryable: boolean,
    contentType?: string,
  ][] = [
    [429, 'ThrottlingException', 'throttled', true],
    [403, 'AccessDeniedException', 'upstream_denied', false],
    [401, 'UnauthorizedException', 'upstream_denied', false],
    [404, 'ResourceNotFoundException', 'agent_not_found', false],
    [400, 'ValidationException', 'upstream_rejected', false],
    [402, 'ServiceQuotaExceededException', 'quota_exceeded', true],
    [424, 'RuntimeClientError', 'agent_failed', true],
    [409, 'ConflictException', 'session_busy', true],
    [400, 'SomeFutureException', 'upstream_rejected', false],
    [500, 'InternalServerException', 'upstream_unavailable', true],
    [503, undefined, 'upstream_unavailable', true, 'text/html'],
    [502, undefined, 'upstream_unavailable', true, 'text/html'],
  ];
  for (const [status, errorType, code, retryable, contentType] of sdkErrors) {
    it(`answers ${status} ${errorType ?? `(a proxy's ${contentType} page)`}: ${code}, after exactly one attempt`, async () => {
      const message = contentType === 'text/html' ? `<h1>${status}</h1><p>${LEAKY_DETAIL}</p>` : undefined;
      await expectFault(suite.bff, suite.fake, failWith(status, errorType, message, contentType), code, retryable);
    });
  }
});

describe('a quiet agent: the idle timeout', () => {
  const suite = useFakeBff({ STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS), HEARTBEAT_MS: String(HEARTBEAT_MS) });

  it('stalls after opening the stream: pings keep the browser company, then upstream_timeout', async () => {
    const stream = await expectFault(suite.bff, suite.fake, stallAfterStart, 'upstream_timeout', true);
    assert.deepEqual(
      stream.events.map((e) => e.event),
      ['start', 'agent_start', 'error', 'done'],
    );
    assert.match(stream.raw, /^: ping\n\n/m, 'heartbeat comments arrived while the agent was silent');
    assert.ok(suite.fake.calls.at(-2)!.abortedAt !== undefined, 'the stalled upstream call was aborted');
  });

  it('never answers the headers: upstream_timeout', async () => {
    await expectFault(suite.bff, suite.fake, stallBeforeHeaders, 'upstream_timeout', true);
    assert.ok(suite.fake.calls.at(-2)!.abortedAt !== undefined, 'the stalled upstream call was aborted');
  });

  it('drips bytes slowly, one event taking longer than the idle timeout: bytes are activity, all of it arrives', async () => {
    const long = `${'slow '.repeat(40)}end.`;
    const bytes =
      `event: AGENT_START\ndata: {"timestamp":"","session_id":"x"}\n\n` +
      `event: LLM_TOKEN\ndata: ${JSON.stringify({ timestamp: '', delta: long })}\n\n` +
      `event: AGENT_END\ndata: {"timestamp":"","output":""}\n\n`;
    const perTick = 2;
    const everyMs = 10;
    assert.ok(
      (long.length / perTick) * everyMs > IDLE_MS,
      'the long event takes longer than the idle timeout to arrive',
    );
    suite.fake.next(drip(bytes, perTick, everyMs));
    const stream = await chat(suite.bff);
    assert.deepEqual(
      stream.events.map((e) => e.event),
      ['start', 'agent_start', 'token', 'done'],
    );
    assert.equal(stream.find('token')!.data.delta, long);
    assert.deepEqual(stream.events.at(-1)!.data, { status: 'complete' });
    await expectHealthy(suite.bff, suite.fake);
  });
});

describe('upstream faults that need their own BFF', () => {
  it('drips forever: the run is stopped at STREAM_MAX_DURATION_MS with run_timeout', async () => {
    await withFakeBff(
      { STREAM_IDLE_TIMEOUT_MS: '1000', HEARTBEAT_MS: '100', STREAM_MAX_DURATION_MS: '1500' },
      async (fake, bff) => {
        // A byte every 20 ms never lets the idle timeout fire; only the cap on the run ends it.
        await expectFault(bff, fake, drip(answerBytes('x'.repeat(100_000)), 1, 20), 'run_timeout', false);
        assert.ok(fake.calls.at(-2)!.abortedAt !== undefined, 'the upstream call was aborted');
      },
    );
  });

  it('has nothing listening at the endpoint: upstream_unreachable', async () => {
    const bff = await startBff(`http://127.0.0.1:${await freePort()}`);
    try {
      const stream = await chat(bff, 'refused');
      assert.deepEqual(
        stream.events.map((e) => e.event),
        ['start', 'error', 'done'],
      );
      assert.equal(stream.find('error')!.data.code, 'upstream_unreachable');
      assert.equal(stream.find('error')!.data.retryable, true);
      assertNoInternals(stream.raw, ['refused']);
      assert.ok(!stream.raw.includes('ECONNREFUSED') && !stream.raw.includes('127.0.0.1'));
    } finally {
      await bff.close();
    }
  });
});
