import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { loadConfig } from '../src/config.ts';

const base = { AGENTCORE_ENDPOINT: 'http://127.0.0.1:9', AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN, SESSION_SECRET: 's' };
const load = (env: NodeJS.ProcessEnv) => loadConfig({ ...base, ...env }, () => {});

describe('configuration from the environment', () => {
  it('has production defaults', () => {
    const config = load({});
    assert.equal(config.heartbeatMs, 15_000);
    assert.equal(config.streamIdleTimeoutMs, 120_000);
    assert.equal(config.streamMaxDurationMs, 900_000);
    assert.equal(config.maxMessageChars, 16_000);
    assert.equal(config.rateLimitMax, 30);
    assert.equal(config.rateLimitWindowMs, 60_000);
    assert.equal(config.trustProxyHops, 0);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.allowedOrigins, []);
    assert.equal(config.headersTimeoutMs, 10_000);
    assert.equal(config.requestTimeoutMs, 30_000);
    assert.equal(config.maxConnectionsPerIp, 64);
    assert.equal(config.maxConnections, 10_000);
    assert.equal(config.auth, undefined, 'anonymous unless configured');
    assert.equal(config.host, undefined, 'all interfaces');
  });

  it('knows its own origin from configuration: PUBLIC_ORIGIN, or localhost and 127.0.0.1 on PORT in local mode, nothing otherwise', () => {
    assert.deepEqual(load({ PORT: '4000' }).publicOrigins, ['http://localhost:4000', 'http://127.0.0.1:4000']);
    assert.deepEqual(load({ PUBLIC_ORIGIN: 'https://chat.example.com' }).publicOrigins, ['https://chat.example.com']);
    assert.deepEqual(
      loadConfig(
        { AGENT_RUNTIME_ARN: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/x', SESSION_SECRET: 's' },
        () => {},
      ).publicOrigins,
      [],
    );
    assert.throws(
      () => load({ PUBLIC_ORIGIN: 'https://a.example.com,https://b.example.com' }),
      /PUBLIC_ORIGIN is one origin/,
    );
    assert.throws(() => load({ PUBLIC_ORIGIN: 'chat.example.com' }), /PUBLIC_ORIGIN entries must be exact origins/);
  });

  it("wants the headers' deadline no longer than the whole request's (Node would swap them silently)", () => {
    assert.throws(
      () => load({ HEADERS_TIMEOUT_MS: '40000' }),
      /HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS/,
    );
  });

  it('takes authenticated mode as all three AUTH_ variables, the keys over https or on this machine', () => {
    const auth = {
      AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'agent-chat',
    };
    const config = load(auth).auth!;
    assert.equal(config.jwksUrl.href, auth.AUTH_JWKS_URL);
    assert.equal(config.issuer, auth.AUTH_ISSUER);
    assert.equal(config.audience, 'agent-chat');
    assert.throws(
      () => load({ ...auth, AUTH_AUDIENCE: '' }),
      /Set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE together/,
    );
    assert.throws(() => load({ AUTH_JWKS_URL: auth.AUTH_JWKS_URL }), /together/);
    assert.throws(() => load({ ...auth, AUTH_JWKS_URL: 'http://id.example.com/jwks.json' }), /must be https/);
    assert.equal(load({ ...auth, AUTH_JWKS_URL: 'http://127.0.0.1:8070/jwks.json' }).auth!.jwksUrl.port, '8070');
  });

  it('takes a list of exact origins', () => {
    assert.deepEqual(load({ ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:5173' }).allowedOrigins, [
      'https://shop.example.com',
      'http://localhost:5173',
    ]);
  });

  for (const bad of [
    '*',
    'null',
    'https://shop.example.com/',
    'shop.example.com',
    'https://Shop.example.com',
    'https://shop.example.com/path',
  ]) {
    it(`refuses ALLOWED_ORIGINS=${bad} rather than trusting it`, () => {
      assert.throws(() => load({ ALLOWED_ORIGINS: bad }), /ALLOWED_ORIGINS entries must be exact origins/);
    });
  }

  it('refuses TRUST_PROXY_HOPS=true: a hop count only', () => {
    assert.throws(() => load({ TRUST_PROXY_HOPS: 'true' }), /TRUST_PROXY_HOPS must be a whole number/);
    assert.equal(load({ TRUST_PROXY_HOPS: '2' }).trustProxyHops, 2);
  });

  it('names the variable when a number is not one', () => {
    assert.throws(() => load({ RATE_LIMIT_MAX: 'lots' }), /RATE_LIMIT_MAX must be a whole number ≥ 1, not "lots"/);
    assert.throws(() => load({ STREAM_IDLE_TIMEOUT_MS: '0' }), /STREAM_IDLE_TIMEOUT_MS/);
    assert.throws(() => load({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL must be one of debug, info, warn, error, silent/);
  });

  it('wants the heartbeat more often than the idle timeout (a quiet stream lives on its pings)', () => {
    assert.throws(() => load({ HEARTBEAT_MS: '120000' }), /HEARTBEAT_MS must be shorter than STREAM_IDLE_TIMEOUT_MS/);
  });
});
