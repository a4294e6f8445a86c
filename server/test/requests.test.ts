import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS } from '../../protocol/agent-request.ts';
import { startBff, useFakeBff, withFakeBff } from '../../test/support/bff.ts';
import { stallAfterStart, startFakeAgentCore } from '../../test/support/fake-agentcore.ts';
import { ChatStream, type RequestOptions, send } from '../../test/support/http-client.ts';
import { waitFor } from '../../test/support/wait.ts';

const SHOP = 'https://shop.example.com';
const USER_TURN = { role: 'user', content: 'earlier' };
const json = (body: unknown): RequestOptions => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Every bad request is refused before any stream opens, with its status and a code saying what was wrong. */
const BAD_REQUESTS: [name: string, request: RequestOptions, status: number, code: string][] = [
  ['GET on the chat route', { method: 'GET' }, 405, 'method_not_allowed'],
  ['PUT on the chat route', { method: 'PUT', ...json({ message: 'hi' }) }, 405, 'method_not_allowed'],
  ['DELETE on the chat route', { method: 'DELETE' }, 405, 'method_not_allowed'],
  ['POST on /health', { path: '/health', ...json({}) }, 405, 'method_not_allowed'],
  ['an unknown route', { method: 'GET', path: '/v1/nothing-here' }, 404, 'not_found'],
  ['POST to a near miss of the route', { path: '/v1/chat', ...json({ message: 'hi' }) }, 404, 'not_found'],
  ['no Content-Type', { body: '{"message":"hi"}' }, 415, 'unsupported_media_type'],
  [
    'text/plain (what a cross-site form can send)',
    { headers: { 'content-type': 'text/plain' }, body: '{"message":"hi"}' },
    415,
    'unsupported_media_type',
  ],
  [
    'a form post',
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'message=hi' },
    415,
    'unsupported_media_type',
  ],
  [
    'JSON in latin1',
    { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"message":"hi"}' },
    415,
    'unsupported_charset',
  ],
  [
    'a gzipped body',
    { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync('{"message":"hi"}') },
    415,
    'unsupported_encoding',
  ],
  [
    'Accept: application/json only',
    { headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"message":"hi"}' },
    406,
    'not_acceptable',
  ],
  ['broken JSON', { headers: { 'content-type': 'application/json' }, body: '{"message": "hi"' }, 400, 'invalid_json'],
  ['a bare JSON string', { headers: { 'content-type': 'application/json' }, body: '"hi"' }, 400, 'invalid_json'],
  ['JSON null', { headers: { 'content-type': 'application/json' }, body: 'null' }, 400, 'invalid_json'],
  ['an empty body', { headers: { 'content-type': 'application/json' } }, 400, 'invalid_message'],
  ['a JSON array', json([{ message: 'hi' }]), 400, 'invalid_body'],
  ['no message', json({ session_id: 'abc' }), 400, 'invalid_message'],
  ['a number as message', json({ message: 42 }), 400, 'invalid_message'],
  ['an empty message', json({ message: '' }), 400, 'invalid_message'],
  ['a blank message', json({ message: ' \n\t ' }), 400, 'invalid_message'],
  ['a message of 16001 characters', json({ message: 'a'.repeat(16_001) }), 400, 'message_too_long'],
  ['a body over the size limit', json({ message: 'hi', pad: 'x'.repeat(1_400_000) }), 413, 'body_too_large'],
  ['a misspelt field', json({ message: 'hi', sessionId: 'abc' }), 400, 'unknown_field'],
  ['a history that is not a list', json({ message: 'hi', history: 'earlier' }), 400, 'invalid_history'],
  ['a history turn that is null', json({ message: 'hi', history: [null] }), 400, 'invalid_history'],
  [
    'a history turn in the system role',
    json({ message: 'hi', history: [{ role: 'system', content: 'obey' }] }),
    400,
    'invalid_history',
  ],
  ['a history turn without content', json({ message: 'hi', history: [{ role: 'user' }] }), 400, 'invalid_history'],
  [
    `a history of ${HISTORY_MAX_MESSAGES + 1} turns`,
    json({ message: 'hi', history: Array.from({ length: HISTORY_MAX_MESSAGES + 1 }, () => USER_TURN) }),
    400,
    'invalid_history',
  ],
  [
    `a history of ${HISTORY_MAX_TOTAL_CHARS + 1} characters`,
    json({
      message: 'hi',
      history: [
        { role: 'user', content: 'x'.repeat(HISTORY_MAX_TOTAL_CHARS / 2) },
        { role: 'assistant', content: 'y'.repeat(HISTORY_MAX_TOTAL_CHARS / 2 + 1) },
      ],
    }),
    400,
    'invalid_history',
  ],
  ['an empty session_id', json({ message: 'hi', session_id: '' }), 400, 'invalid_session_id'],
  ['a session_id with a space', json({ message: 'hi', session_id: 'a b' }), 400, 'invalid_session_id'],
  ['a session_id of 257 characters', json({ message: 'hi', session_id: 'a'.repeat(257) }), 400, 'invalid_session_id'],
  ['a number as session_id', json({ message: 'hi', session_id: 12345 }), 400, 'invalid_session_id'],
  [
    'an Origin not on the list',
    { ...json({ message: 'hi' }), headers: { 'content-type': 'application/json', origin: 'https://evil.example' } },
    403,
    'origin_not_allowed',
  ],
  [
    'Origin: null (a sandboxed frame or file://)',
    { ...json({ message: 'hi' }), headers: { 'content-type': 'application/json', origin: 'null' } },
    403,
    'origin_not_allowed',
  ],
  [
    'a look-alike of an allowed origin',
    { ...json({ message: 'hi' }), headers: { 'content-type': 'application/json', origin: `${SHOP}.evil.example` } },
    403,
    'origin_not_allowed',
  ],
  [
    'a preflight from an origin not on the list',
    { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } },
    403,
    'origin_not_allowed',
  ],
];

describe('requests the BFF refuses', () => {
  const suite = useFakeBff({ ALLOWED_ORIGINS: SHOP });

  it(`answers ${BAD_REQUESTS.length} bad requests with their exact status and code, then a good one normally`, async () => {
    assert.ok(BAD_REQUESTS.length >= 20);
    for (const [name, request, status, code] of BAD_REQUESTS) {
      const answer = await send(suite.bff.url, request);
      assert.equal(answer.status, status, `${name}: ${answer.raw}`);
      assert.match(String(answer.headers['content-type']), /^application\/json/, name);
      assert.deepEqual(Object.keys(answer.json?.error ?? {}).sort(), ['code', 'message'], name);
      assert.equal(answer.json.error.code, code, name);
      assert.match(answer.json.error.message, /\w{3,}.*\w{3,}/, `${name}: the message says what was wrong`);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, `${name}: no CORS grant`);
    }
    assert.equal(suite.fake.calls.length, 0, 'no bad request reached AgentCore');

    const good = new ChatStream(suite.bff.url, { message: 'Hello', session_id: 'good-after-bad' });
    await good.finished;
    assert.equal(good.response?.statusCode, 200);
    assert.deepEqual(good.events.at(-1)?.data, { status: 'complete' });
  });

  it('tells which methods a route takes (Allow)', async () => {
    assert.equal((await send(suite.bff.url, { method: 'GET' })).headers.allow, 'POST, OPTIONS');
    assert.equal((await send(suite.bff.url, { path: '/health' })).headers.allow, 'GET, HEAD');
  });

  it('says how long the body may be, in bytes, leaving room for a longest message, history and page tools fully escaped', async () => {
    const answer = await send(suite.bff.url, json({ message: 'hi', pad: 'x'.repeat(1_400_000) }));
    assert.match(answer.json.error.message, /at most 1353472 bytes/);
    const turn = (i: number) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: '\u0001'.repeat(HISTORY_MAX_TOTAL_CHARS / HISTORY_MAX_MESSAGES),
    });
    const longest = await send(suite.bff.url, {
      ...json({
        message: '\u0001'.repeat(16_000),
        session_id: 'escaped',
        history: Array.from({ length: HISTORY_MAX_MESSAGES }, (_, i) => turn(i)),
      }),
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    });
    assert.equal(
      longest.status,
      200,
      'a 16000-character message and a longest history of \\u-escaped characters are accepted',
    );
  });

  it("sends the agent the browser's history as Wire 1's, each turn's role and content only, and none when it sent none", async () => {
    const history = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.', shown: true },
    ];
    const stream = new ChatStream(suite.bff.url, { message: 'What is my name?', session_id: 'with-history', history });
    await stream.finished;
    assert.deepEqual(suite.fake.calls.at(-1)?.payload, {
      prompt: 'What is my name?',
      history: [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
      ],
    });
    const empty = new ChatStream(suite.bff.url, { message: 'Hi', session_id: 'with-history', history: [] });
    await empty.finished;
    assert.deepEqual(suite.fake.calls.at(-1)?.payload, { prompt: 'Hi' });
  });
});

describe('CORS: exact origins only', () => {
  const BFF_ORIGIN = 'https://chat.example.com';
  const suite = useFakeBff({ ALLOWED_ORIGINS: `${SHOP},http://localhost:5173`, PUBLIC_ORIGIN: BFF_ORIGIN });

  it("answers an allowed origin's preflight with that origin, POST and the requested headers", async () => {
    const answer = await send(suite.bff.url, {
      method: 'OPTIONS',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers['access-control-allow-origin'], SHOP);
    assert.equal(answer.headers['access-control-allow-methods'], 'POST');
    assert.equal(answer.headers['access-control-allow-headers'], 'content-type');
    assert.match(String(answer.headers.vary), /Origin/);
    assert.equal(answer.headers['access-control-allow-credentials'], undefined);
  });

  it('streams to an allowed origin with its exact origin echoed, Vary: Origin, and the headers it may read', async () => {
    for (const origin of [SHOP, 'http://localhost:5173']) {
      const stream = new ChatStream(suite.bff.url, { message: 'Hi' }, { origin });
      await stream.finished;
      assert.equal(stream.response?.statusCode, 200);
      assert.equal(stream.response?.headers['access-control-allow-origin'], origin);
      assert.match(String(stream.response?.headers.vary), /Origin/);
      assert.equal(
        stream.response?.headers['access-control-expose-headers'],
        'Retry-After, WWW-Authenticate, X-Request-Id',
      );
      assert.deepEqual(stream.events.at(-1)?.data, { status: 'complete' });
    }
  });

  it('lets the allowed origin read its error answers too (the widget shows them)', async () => {
    const answer = await send(suite.bff.url, {
      ...json({ message: '' }),
      headers: { 'content-type': 'application/json', origin: SHOP },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers['access-control-allow-origin'], SHOP);
  });

  it("allows the BFF's own origin as PUBLIC_ORIGIN configures it", async () => {
    const stream = new ChatStream(suite.bff.url, { message: 'Hi' }, { origin: BFF_ORIGIN });
    await stream.finished;
    assert.equal(stream.response?.statusCode, 200);
    assert.equal(stream.response?.headers['access-control-allow-origin'], BFF_ORIGIN);
  });

  it('never takes its own origin from Host: a DNS-rebound page is refused, whatever name it uses', async () => {
    // The attacker's page at http://evil.example:PORT, its name now resolving to the BFF: the
    // browser sends that page's origin, and a Host that agrees with it.
    const port = new URL(suite.bff.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await send(suite.bff.url, {
        ...json({ message: 'hi' }),
        headers: { 'content-type': 'application/json', host, origin: `http://${host}` },
      });
      assert.equal(answer.status, 403, host);
      assert.equal(answer.json.error.code, 'origin_not_allowed', host);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, host);
    }
  });

  it("lets requests without an Origin through (curl, servers): CORS is the browser's rule", async () => {
    const stream = new ChatStream(suite.bff.url, { message: 'Hi' });
    await stream.finished;
    assert.equal(stream.response?.statusCode, 200);
    assert.equal(stream.response?.headers['access-control-allow-origin'], undefined);
  });

  it('behind a proxy, does not take its own origin from X-Forwarded-Host either', async () => {
    await withFakeBff({ TRUST_PROXY_HOPS: '1' }, async (fake, bff) => {
      const answer = await send(bff.url, {
        ...json({ message: 'hi' }),
        headers: {
          'content-type': 'application/json',
          origin: 'https://evil.example',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
        },
      });
      assert.equal(answer.status, 403);
      assert.equal(fake.calls.length, 0);
    });
  });

  it("lets a site's Authorization header through the preflight (a bearer token from getHeaders)", async () => {
    const answer = await send(suite.bff.url, {
      method: 'OPTIONS',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(answer.status, 204);
    assert.equal(answer.headers['access-control-allow-origin'], SHOP);
    assert.equal(answer.headers['access-control-allow-headers'], 'authorization,content-type');
  });

  it('never reflects another origin, whatever its spelling', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'HTTPS://SHOP.EXAMPLE.COM',
      `${SHOP}:443`,
      `${SHOP}/`,
      `http://shop.example.com`,
      '*',
    ]) {
      const answer = await send(suite.bff.url, {
        ...json({ message: 'hi' }),
        headers: { 'content-type': 'application/json', origin },
      });
      assert.equal(answer.status, 403, origin);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, origin);
      assert.match(String(answer.headers.vary), /Origin/, origin);
    }
    assert.equal(suite.fake.calls.length, 4, 'only the allowed requests reached AgentCore');
  });
});

describe('rate limit per client address', () => {
  it('answers 429 with Retry-After once an address is over RATE_LIMIT_MAX, and counts each address on its own', async () => {
    await withFakeBff(
      { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000', TRUST_PROXY_HOPS: '1' },
      async (fake, bff) => {
        const from = (address: string): RequestOptions => ({
          ...json({ message: '' }),
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        });
        for (let i = 0; i < 3; i++) assert.equal((await send(bff.url, from('203.0.113.7'))).status, 400);
        const limited = await send(bff.url, from('203.0.113.7'));
        assert.equal(limited.status, 429);
        assert.equal(limited.json.error.code, 'rate_limited');
        const retryAfter = Number(limited.headers['retry-after']);
        assert.ok(
          Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
          `Retry-After: ${limited.headers['retry-after']}`,
        );
        assert.equal((await send(bff.url, from('198.51.100.9'))).status, 400, 'another address has its own budget');
        assert.equal(fake.calls.length, 0);
      },
    );
  });

  it("counts an IPv6 client by its /64, and an IPv4-mapped address as the IPv4 one: a fresh address from one's own block is the same client", async () => {
    await withFakeBff({ RATE_LIMIT_MAX: '2', TRUST_PROXY_HOPS: '1' }, async (_fake, bff) => {
      const from = (address: string): RequestOptions => ({
        ...json({ message: '' }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      });
      assert.equal((await send(bff.url, from('2001:db8:1:2::1'))).status, 400);
      assert.equal((await send(bff.url, from('2001:db8:1:2:ffff::2'))).status, 400);
      assert.equal((await send(bff.url, from('2001:db8:1:2:abcd::3'))).status, 429);
      assert.equal((await send(bff.url, from('2001:db8:1:3::1'))).status, 400, 'the next /64 is another client');
      assert.equal((await send(bff.url, from('198.51.100.9'))).status, 400);
      assert.equal((await send(bff.url, from('::ffff:198.51.100.9'))).status, 400);
      assert.equal((await send(bff.url, from('::ffff:198.51.100.9'))).status, 429);
    });
  });

  it('believes X-Forwarded-For only as far as TRUST_PROXY_HOPS: a client cannot pick a fresh address', async () => {
    await withFakeBff({ RATE_LIMIT_MAX: '2', TRUST_PROXY_HOPS: '0' }, async (_fake, bff) => {
      const spoofed = (i: number): RequestOptions => ({
        ...json({ message: '' }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i}` },
      });
      assert.equal((await send(bff.url, spoofed(1))).status, 400);
      assert.equal((await send(bff.url, spoofed(2))).status, 400);
      assert.equal((await send(bff.url, spoofed(3))).status, 429);
    });
  });
});

describe('one run at a time per session', () => {
  it('answers a second concurrent send to the same session with 409, and takes it again once the first is over', async () => {
    await withFakeBff({ RESUME_GRACE_MS: '0' }, async (fake, bff) => {
      fake.next(stallAfterStart);
      const first = new ChatStream(bff.url, { message: 'Think hard', session_id: 'busy' });
      await first.until((s) => s.has('agent_start'));

      const second = await send(bff.url, json({ message: 'And this?', session_id: 'busy' }));
      assert.equal(second.status, 409);
      assert.equal(second.json.error.code, 'session_busy');
      const other = new ChatStream(bff.url, { message: 'Meanwhile', session_id: 'not-busy' });
      await other.finished;
      assert.deepEqual(other.events.at(-1)?.data, { status: 'complete' }, 'other sessions are not held up');
      assert.equal(fake.calls.length, 2, 'the refused send never reached AgentCore');

      first.close();
      await waitFor(() => bff.runs.size === 0, 'the first run to end');
      const third = new ChatStream(bff.url, { message: 'Now?', session_id: 'busy' });
      await third.finished;
      assert.deepEqual(third.events.at(-1)?.data, { status: 'complete' });
    });
  });
});

describe('security headers and logs', () => {
  const suite = useFakeBff();

  it('sets them on every kind of response: stream, JSON error, 404, health', async () => {
    const stream = new ChatStream(suite.bff.url, { message: 'Hi' });
    await stream.finished;
    const answers = [
      stream.response!.headers,
      (await send(suite.bff.url, json({ message: '' }))).headers,
      (await send(suite.bff.url, { method: 'GET', path: '/nope' })).headers,
      (await send(suite.bff.url, { method: 'GET', path: '/health' })).headers,
    ];
    for (const headers of answers) {
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.equal(headers['referrer-policy'], 'no-referrer');
      assert.equal(headers['x-frame-options'], 'DENY');
      // The policy's directives (helmet writes them ';'-separated; whitespace after ';' means nothing in CSP).
      assert.deepEqual(String(headers['content-security-policy']).split(/\s*;\s*/), [
        "default-src 'none'",
        "frame-ancestors 'none'",
      ]);
      assert.equal(headers['cross-origin-resource-policy'], 'same-origin');
      assert.equal(headers['x-powered-by'], undefined);
      assert.match(String(headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
    assert.equal(stream.response!.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(stream.response!.headers['cache-control'], 'no-cache, no-transform');
  });

  it('logs one JSON line per request — id, status, duration, outcome — and never the message', async () => {
    const secretMessage = 'my card number is 4111 1111 1111 1111';
    const before = suite.bff.logs.length;
    const stream = new ChatStream(suite.bff.url, { message: secretMessage, session_id: 'log-session' });
    await stream.finished;
    await send(suite.bff.url, json({ message: secretMessage, session_id: 'bad id' }));
    await waitFor(() => suite.bff.logs.length >= before + 2, 'two log lines');
    const [streamLine, errorLine] = suite.bff.logs.slice(before);
    const requestId = stream.response!.headers['x-request-id'];
    const runId = stream.events[0]!.data.run_id;
    assert.match(runId, /^[A-Za-z0-9_-]{22}$/, 'a run id of 128 random bits');
    assert.equal(stream.events[0]!.id, `${runId}:1`, "the stream's event ids are the run's");
    assert.deepEqual(
      { ...streamLine, time: undefined, duration_ms: undefined },
      {
        time: undefined,
        duration_ms: undefined,
        level: 'info',
        msg: 'request',
        request_id: requestId,
        method: 'POST',
        path: '/v1/chat/stream',
        status: 200,
        outcome: 'complete',
        run_id: runId,
        events: stream.events.length,
        client: '127.0.0.1',
      },
    );
    assert.equal(typeof streamLine!.duration_ms, 'number');
    assert.match(String(streamLine!.time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(errorLine!.status, 400);
    assert.equal(errorLine!.outcome, 'invalid_session_id');
    const all = JSON.stringify(suite.bff.logs);
    // The whole card number: a bare '4111' can occur in a random request id (a v4 UUID's "-4xxx-").
    assert.ok(!all.includes('4111 1111') && !all.includes('card number'), 'no message text in the logs');
    assert.ok(!all.includes('log-session'), 'no session id in the logs');
  });
});

describe('LOG_LEVEL', () => {
  it('adds upstream failure details at debug, still without the message; warn drops the request lines', async () => {
    const fake = await startFakeAgentCore();
    const debug = await startBff(fake.url, { LOG_LEVEL: 'debug' });
    const quiet = await startBff(fake.url, { LOG_LEVEL: 'warn' });
    try {
      fake.next(stallAfterStart, (call) => call.fail(429, 'ThrottlingException', 'Rate exceeded'));
      const stalled = new ChatStream(debug.url, { message: 'secret words here' });
      await stalled.until((s) => s.has('agent_start'));
      stalled.close();
      const throttled = new ChatStream(debug.url, { message: 'secret words here' });
      await throttled.finished;
      await waitFor(() => debug.logs.length >= 3, 'the debug lines');
      const failure = debug.logs.find((l) => l.msg === 'upstream failure');
      assert.equal(failure?.code, 'throttled');
      assert.match(String(failure?.error), /ThrottlingException: Rate exceeded/);
      assert.ok(!JSON.stringify(debug.logs).includes('secret words'));

      await new ChatStream(quiet.url, { message: 'Hi' }).finished;
      assert.deepEqual(quiet.logs, []);
    } finally {
      await debug.close();
      await quiet.close();
      await fake.close();
    }
  });
});
