import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';

const base = { AGENTCORE_ENDPOINT: 'http://127.0.0.1:9', SESSION_SECRET: 's' };
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
  });

  it('takes a list of exact origins', () => {
    assert.deepEqual(load({ ALLOWED_ORIGINS: 'https://shop.example.com, http://localhost:5173' }).allowedOrigins, [
      'https://shop.example.com',
      'http://localhost:5173',
    ]);
  });

  for (const bad of ['*', 'null', 'https://shop.example.com/', 'shop.example.com', 'https://Shop.example.com', 'https://shop.example.com/path']) {
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
