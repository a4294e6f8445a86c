import { randomBytes } from 'node:crypto';
import { type Env, flag, integer, oneOf, port, text } from '../../protocol/env.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

/** The BFF's settings, read once from the environment (docs/configuration.md). */
export interface ServerConfig {
  port: number;
  /** The interface to listen on; undefined: all of them. */
  host: string | undefined;
  region: string;
  /** Unset: the real AWS endpoint. Set: a URL serving AgentCore's route, like the local gateway. */
  agentcoreEndpoint: string | undefined;
  runtimeArn: string;
  qualifier: string;
  /** Exact origins allowed to call the API from a browser, besides the BFF's own. */
  allowedOrigins: string[];
  /** The BFF's own origins (where the demo page is served from), never taken from a request's Host. */
  publicOrigins: string[];
  /** Set: chat requests need a bearer token (a JWT) signed by a key in this JWKS, for this issuer and audience. */
  auth: AuthConfig | undefined;
  /** HMAC key that turns a browser's session id into an AgentCore runtime session id. */
  sessionSecret: string;
  heartbeatMs: number;
  maxMessageChars: number;
  /** Upstream silence (no bytes) after which a run is stopped with `upstream_timeout`. */
  streamIdleTimeoutMs: number;
  /** The longest a whole run may take. */
  streamMaxDurationMs: number;
  /** Chat requests allowed per client IP in each window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** How many proxies (load balancers) in front of the BFF to trust for X-Forwarded-For. */
  trustProxyHops: number;
  /** A request's headers must have arrived this long after its first byte; its whole body, `requestTimeoutMs`. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Open connections in all, and per client address (behind a proxy: requests in progress per client). */
  maxConnections: number;
  maxConnectionsPerIp: number;
  logLevel: LogLevel;
  /** Serve demo/ and the built widget (local mode). */
  serveDemo: boolean;
  /** How long a run nobody reads goes on before it is stopped; 0: stopped when its last reader leaves. */
  resumeGraceMs: number;
  /** Set: runs, locks and rate limits live in this Redis, shared by every instance. Unset: in this process. */
  redisUrl: string | undefined;
  /** How long a finished run can still be read. */
  runRetentionMs: number;
  /** The most a run's events may take (SSE bytes); past it the run fails with `run_too_large`. */
  maxRunBytes: number;
  /** Without Redis: the most finished runs kept in memory for resuming (the oldest go first). */
  maxRetainedRuns: number;
}

export interface AuthConfig {
  /** Where the identity provider publishes its public keys (fetched when needed, cached, refreshed). */
  jwksUrl: URL;
  /** The tokens' `iss`, exactly. */
  issuer: string;
  /** The tokens' `aud` must include this: a token made for another application is refused. */
  audience: string;
  /** A token with a key id the cached keys lack makes them be fetched again, at most this often. */
  keysCooldownMs: number;
}

/** The largest timer Node keeps (the rate limiter's window is one). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Each entry must be an exact origin (scheme://host[:port]); `*` and `null` are refused, not trusted. */
function origins(env: Env, name: string): string[] {
  const list = text(env, name, '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const entry of list) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      // reported below
    }
    if (origin !== entry)
      throw new Error(`${name} entries must be exact origins like https://shop.example.com, not "${entry}"`);
  }
  return list;
}

/** A redis:// or rediss:// URL (rediss: TLS, as ElastiCache and MemoryDB with encryption in transit want). */
function redisUrl(env: Env): string | undefined {
  const raw = text(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:')
    throw new Error('REDIS_URL must be a redis:// or rediss:// URL, like redis://localhost:6379');
  return raw;
}

/** Authenticated mode: all three variables or none, and the JWKS on https (or on this machine). */
function auth(env: Env): AuthConfig | undefined {
  const jwks = text(env, 'AUTH_JWKS_URL');
  const issuer = text(env, 'AUTH_ISSUER');
  const audience = text(env, 'AUTH_AUDIENCE');
  if (!jwks && !issuer && !audience) return undefined;
  if (!jwks || !issuer || !audience)
    throw new Error('Set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE together (or none of them, for anonymous mode)');
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(jwks);
  } catch {
    throw new Error(`AUTH_JWKS_URL must be a URL, not "${jwks}"`);
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(jwksUrl.hostname);
  if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && local)) {
    throw new Error(
      'AUTH_JWKS_URL must be https (plain http only on this machine): whoever can change the keys can sign in as anyone',
    );
  }
  return { jwksUrl, issuer, audience, keysCooldownMs: 30_000 };
}

export function loadConfig(env: Env = process.env, warn: (message: string) => void = console.warn): ServerConfig {
  const agentcoreEndpoint = text(env, 'AGENTCORE_ENDPOINT');
  const runtimeArn = text(env, 'AGENT_RUNTIME_ARN');
  if (!runtimeArn) throw new Error('Set AGENT_RUNTIME_ARN to the AgentCore runtime to invoke');
  let sessionSecret = text(env, 'SESSION_SECRET');
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('hex');
    warn('SESSION_SECRET is not set: using a random one, so conversations will not survive a restart of the BFF');
  }
  const heartbeatMs = integer(env, 'HEARTBEAT_MS', 15_000, 1);
  const streamIdleTimeoutMs = integer(env, 'STREAM_IDLE_TIMEOUT_MS', 120_000, 1);
  // A stream's only traffic while the agent thinks is the heartbeat; a browser that has taken
  // nothing for STREAM_IDLE_TIMEOUT_MS is cut off, so the heartbeat must come more often.
  if (heartbeatMs >= streamIdleTimeoutMs) throw new Error('HEARTBEAT_MS must be shorter than STREAM_IDLE_TIMEOUT_MS');
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 10_000, 1, MAX_TIMER_MS);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1, MAX_TIMER_MS);
  // Node silently swaps the two when the headers' deadline is the longer one.
  if (headersTimeoutMs > requestTimeoutMs)
    throw new Error('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS');
  const listenPort = port(env, 'PORT', 3000);
  // Local mode (the local gateway, the demo page): the BFF is opened as localhost or 127.0.0.1.
  const local = Boolean(agentcoreEndpoint);
  const publicOrigins = origins(env, 'PUBLIC_ORIGIN');
  if (publicOrigins.length > 1) throw new Error('PUBLIC_ORIGIN is one origin: list other sites in ALLOWED_ORIGINS');
  return {
    port: listenPort,
    host: text(env, 'HOST'),
    region: text(env, 'AWS_REGION', 'us-east-1'),
    agentcoreEndpoint,
    runtimeArn,
    qualifier: text(env, 'AGENT_RUNTIME_QUALIFIER', 'DEFAULT'),
    allowedOrigins: origins(env, 'ALLOWED_ORIGINS'),
    publicOrigins:
      publicOrigins.length || !local
        ? publicOrigins
        : [`http://localhost:${listenPort}`, `http://127.0.0.1:${listenPort}`],
    auth: auth(env),
    sessionSecret,
    heartbeatMs,
    maxMessageChars: integer(env, 'MAX_MESSAGE_CHARS', 16_000, 1),
    streamIdleTimeoutMs,
    streamMaxDurationMs: integer(env, 'STREAM_MAX_DURATION_MS', 900_000, 1),
    rateLimitMax: integer(env, 'RATE_LIMIT_MAX', 30, 1),
    rateLimitWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1, MAX_TIMER_MS),
    trustProxyHops: integer(env, 'TRUST_PROXY_HOPS', 0, 0),
    headersTimeoutMs,
    requestTimeoutMs,
    maxConnections: integer(env, 'MAX_CONNECTIONS', 10_000, 1),
    maxConnectionsPerIp: integer(env, 'MAX_CONNECTIONS_PER_IP', 64, 1),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    serveDemo: flag(env, 'SERVE_DEMO', local),
    resumeGraceMs: integer(env, 'RESUME_GRACE_MS', 30_000, 0, MAX_TIMER_MS),
    redisUrl: redisUrl(env),
    runRetentionMs: integer(env, 'RUN_RETENTION_MS', 600_000, 1, MAX_TIMER_MS),
    maxRunBytes: integer(env, 'MAX_RUN_BYTES', 4 * 2 ** 20, 64 * 1024),
    maxRetainedRuns: integer(env, 'MAX_RETAINED_RUNS', 1000, 0),
  };
}
