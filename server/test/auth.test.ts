import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { newKey } from '../../dev/identity-provider.ts';
import { runtimeSessionId } from '../src/session-id.ts';
import { type Bff, startBff } from '../../test/support/bff.ts';
import { type FakeAgentCore, stallAfterStart, startFakeAgentCore } from '../../test/support/fake-agentcore.ts';
import { ChatStream, send } from '../../test/support/http-client.ts';
import { type JwksServer, startJwksServer } from '../../test/support/jwks-server.ts';
import { waitFor } from '../../test/support/wait.ts';

const SHOP = 'https://shop.example.com';

/** A chat request as a site's widget sends it with a token from getHeaders. */
const chat = (
  bff: Bff,
  token: string | undefined,
  body: unknown = { message: 'Hi', session_id: 'support' },
  headers: Record<string, string> = {},
) =>
  send(bff.url, {
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify(body),
  });

describe('authenticated mode (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE)', () => {
  let idp: JwksServer;
  let fake: FakeAgentCore;
  let bff: Bff;
  before(async () => {
    idp = await startJwksServer();
    fake = await startFakeAgentCore();
    // A key id the cached keys lack is looked up again at once here (30 s in production).
    bff = await startBff(
      fake.url,
      { ...idp.env, ALLOWED_ORIGINS: SHOP },
      (config) => (config.auth!.keysCooldownMs = 0),
    );
  });
  after(async () => {
    await bff.close();
    await fake.close();
    await idp.close();
  });

  it('refuses every request without a valid token with 401, a JSON error and a Bearer challenge, before any agent runs', async () => {
    const { provider } = idp;
    const now = Math.floor(Date.now() / 1000);
    const stranger = (await newKey()).key;
    const forged = { kid: provider.jwks().keys[0]!.kid as string, privateKey: stranger.privateKey };
    const refused: [name: string, authorization: string | undefined, code: string][] = [
      ['no Authorization header', undefined, 'unauthorized'],
      ['another scheme', 'Basic YWxpY2U6c2VjcmV0', 'unauthorized'],
      ['an empty bearer', 'Bearer ', 'unauthorized'],
      ['not a JWT', 'Bearer not-a-jwt', 'invalid_token'],
      [
        'another issuer',
        `Bearer ${await provider.token('alice', {}, { issuer: 'https://evil.example/' })}`,
        'invalid_token',
      ],
      [
        'another audience (a token for another app)',
        `Bearer ${await provider.token('alice', {}, { audience: 'another-app' })}`,
        'invalid_token',
      ],
      ['expired', `Bearer ${await provider.token('alice', {}, { expiresIn: now - 60 })}`, 'invalid_token'],
      ['not valid yet', `Bearer ${await provider.token('alice', { nbf: now + 3600 })}`, 'invalid_token'],
      ['no subject', `Bearer ${await provider.token(undefined)}`, 'invalid_token'],
      ["a subject too long to be anyone's", `Bearer ${await provider.token('x'.repeat(300))}`, 'invalid_token'],
      [
        'signed by a key the provider never published',
        `Bearer ${await provider.token('alice', {}, { key: stranger })}`,
        'invalid_token',
      ],
      [
        "a published key id over another key's signature",
        `Bearer ${await provider.token('alice', {}, { key: forged })}`,
        'invalid_token',
      ],
      [
        'unsigned (alg none)',
        `Bearer ${new UnsecuredJWT({}).setSubject('alice').setIssuer(provider.issuer).setAudience(provider.audience).setExpirationTime('5m').encode()}`,
        'invalid_token',
      ],
      [
        'HS256 keyed with the public key (algorithm confusion)',
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: forged.kid })
          .setSubject('alice')
          .setIssuer(provider.issuer)
          .setAudience(provider.audience)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JSON.stringify(provider.jwks().keys[0])))}`,
        'invalid_token',
      ],
    ];
    for (const [name, authorization, code] of refused) {
      const answer = await send(bff.url, {
        headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
        body: '{"message":"Hi"}',
      });
      assert.equal(answer.status, 401, `${name}: ${answer.raw}`);
      assert.equal(answer.json?.error?.code, code, name);
      assert.match(answer.json.error.message, /sign in/i, name);
      assert.match(String(answer.headers['www-authenticate']), /^Bearer\b/, name);
    }
    assert.equal(fake.calls.length, 0, 'no agent ran');
  });

  it("answers a caller with a valid token, in a runtime session derived from the token's subject and the session_id", async () => {
    const token = await idp.provider.token('alice');
    const stream = new ChatStream(
      bff.url,
      { message: 'Hi', session_id: 'support' },
      { authorization: `bearer ${token}`, origin: SHOP },
    );
    await stream.finished;
    assert.equal(stream.response?.statusCode, 200);
    assert.deepEqual(stream.events.at(-1)?.data, { status: 'complete' });
    const call = fake.calls.at(-1)!;
    assert.equal(call.runtimeSessionId, runtimeSessionId('test-secret', 'support', 'alice'));
    assert.notEqual(
      call.runtimeSessionId,
      runtimeSessionId('test-secret', 'support'),
      'not the anonymous conversation of that id',
    );
    assert.deepEqual(call.payload, { prompt: 'Hi' }, 'the token does not travel upstream');
  });

  it("gives two users who send the same session_id two conversations: neither waits for, nor reaches, the other's", async () => {
    const [alice, bob] = await Promise.all([idp.provider.token('alice'), idp.provider.token('bob')]);
    fake.next(stallAfterStart, stallAfterStart);
    const first = new ChatStream(
      bff.url,
      { message: 'Think', session_id: 'shared-name' },
      { authorization: `Bearer ${alice}` },
    );
    await first.until((s) => s.has('agent_start'));
    const second = new ChatStream(
      bff.url,
      { message: 'Think', session_id: 'shared-name' },
      { authorization: `Bearer ${bob}` },
    );
    await second.until((s) => s.has('agent_start'));
    const [a, b] = fake.calls.slice(-2);
    assert.notEqual(a!.runtimeSessionId, b!.runtimeSessionId);

    const again = await chat(bff, alice, { message: 'And?', session_id: 'shared-name' });
    assert.equal(again.status, 409, "Alice's own conversation is busy");

    // A run is its user's: to anyone else — or to nobody signed in — it does not exist.
    const runOf = (s: ChatStream) => `/v1/chat/runs/${s.events[0]!.data.run_id}`;
    const as = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
    for (const [path, token] of [
      [`${runOf(first)}/cancel`, bob],
      [`${runOf(second)}/cancel`, alice],
    ] as const) {
      assert.equal((await send(bff.url, { path, headers: as(token) })).status, 404, path);
      assert.equal(
        (await send(bff.url, { method: 'GET', path: path.replace('cancel', 'events'), headers: as(token) })).status,
        404,
      );
    }
    assert.equal((await send(bff.url, { path: `${runOf(first)}/cancel` })).status, 401);
    // Each stops their own.
    for (const [stream, token] of [
      [first, alice],
      [second, bob],
    ] as const) {
      const cancel = await send(bff.url, { path: `${runOf(stream)}/cancel`, headers: as(token) });
      assert.equal(cancel.status, 202);
      await stream.finished;
      assert.deepEqual(stream.events.at(-1)?.data, { status: 'cancelled' });
    }
    await waitFor(() => bff.runs.size === 0, 'both runs to end');
  });

  it('fetches the keys once and keeps them; fetches them again when a token names a key it has not seen (rotation)', async () => {
    const fetched = idp.fetches;
    for (let i = 0; i < 3; i++)
      assert.equal((await chat(bff, await idp.provider.token('carol'), { message: 'Hi' })).status, 200);
    assert.equal(idp.fetches, fetched, 'served from the cache');

    const beforeRotation = await idp.provider.token('carol');
    await idp.provider.rotate();
    assert.equal(
      (await chat(bff, await idp.provider.token('carol'), { message: 'Hi' })).status,
      200,
      'a token with the new key',
    );
    assert.equal(idp.fetches, fetched + 1, 'the keys were fetched again, once');
    assert.equal(
      (await chat(bff, beforeRotation, { message: 'Hi' })).status,
      401,
      'the withdrawn key no longer signs anyone in',
    );
  });

  it('rate-limits per user, not per address', async () => {
    const limited = await startBff(fake.url, { ...idp.env, RATE_LIMIT_MAX: '2', TRUST_PROXY_HOPS: '1' });
    try {
      const [dave, erin] = await Promise.all([idp.provider.token('dave'), idp.provider.token('erin')]);
      const from = (address: string) => ({ 'x-forwarded-for': address });
      assert.equal((await chat(limited, dave, { message: 'Hi' }, from('198.51.100.1'))).status, 200);
      assert.equal((await chat(limited, dave, { message: 'Hi' }, from('198.51.100.1'))).status, 200);
      const third = await chat(limited, dave, { message: 'Hi' }, from('203.0.113.50'));
      assert.equal(third.status, 429, 'a new address does not give Dave a new budget');
      assert.equal(third.json.error.code, 'rate_limited');
      assert.match(third.json.error.message, /for this user/);
      assert.ok(Number(third.headers['retry-after']) >= 1);
      assert.equal(
        (await chat(limited, erin, { message: 'Hi' }, from('198.51.100.1'))).status,
        200,
        "Erin, from Dave's address, has her own",
      );
    } finally {
      await limited.close();
    }
  });

  it('holds feedback to the same sign-in as the chat', async () => {
    const rate = (token: string | undefined) =>
      send(bff.url, {
        path: '/v1/chat/feedback',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ run_id: 'run-1', rating: 'up' }),
      });
    const anonymous = await rate(undefined);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.error.code, 'unauthorized');
    assert.equal((await rate('not-a-jwt')).json.error.code, 'invalid_token');
    assert.equal((await rate(await idp.provider.token('alice'))).status, 204);
  });

  it('answers 503 auth_unavailable, not 401, when the keys cannot be fetched', async () => {
    const idle = await startJwksServer();
    await idle.close(); // nothing listens at its JWKS URL any more
    const blind = await startBff(fake.url, idle.env);
    try {
      const answer = await chat(blind, await idle.provider.token('frank'));
      assert.equal(answer.status, 503);
      assert.equal(answer.json.error.code, 'auth_unavailable');
      assert.ok(blind.logs.some((l) => l.msg === 'identity provider keys unavailable'));
    } finally {
      await blind.close();
    }
  });

  it('lets an allowed site read the 401 and its challenge (CORS)', async () => {
    const answer = await send(bff.url, {
      headers: { 'content-type': 'application/json', origin: SHOP },
      body: '{"message":"Hi"}',
    });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['access-control-allow-origin'], SHOP);
    assert.match(String(answer.headers['access-control-expose-headers']), /WWW-Authenticate/);
  });
});

describe('anonymous mode (the default)', () => {
  it('needs no token and ignores one; the runtime session comes from the session_id alone', async () => {
    const fake = await startFakeAgentCore();
    const bff = await startBff(fake.url);
    try {
      assert.equal((await chat(bff, undefined)).status, 200);
      assert.equal((await chat(bff, 'whatever.token.here', { message: 'Hi', session_id: 'support' })).status, 200);
      assert.deepEqual(
        fake.calls.map((c) => c.runtimeSessionId),
        Array(2).fill(runtimeSessionId('test-secret', 'support')),
      );
    } finally {
      await bff.close();
      await fake.close();
    }
  });
});
