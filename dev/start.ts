/**
 * `npm start`: builds the widget, then starts the agent runtime, the local AgentCore gateway and
 * the BFF on the offline model, and prints the URL to open. Ctrl-C stops them all.
 *
 * `npm run start:auth` (`--auth`) starts the BFF in authenticated mode instead, with a demo site of
 * its own beside it (dev/demo-site.ts): another origin with its own sign-in, whose page gives
 * the widget a token through `getHeaders`, and whose identity provider's keys the BFF verifies.
 *
 * Everything listens on 127.0.0.1 only: with MODEL_PROVIDER=bedrock the agent holds the developer's
 * AWS credentials, and nothing here checks who calls. HOST=0.0.0.0 opens the BFF (and the demo site)
 * to other machines, in a container say; the agent and the gateway stay on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { build } from 'vite';
import { oneOf, port, text } from '../protocol/env.ts';
import { LOCAL_RUNTIME_ARN } from './local-runtime.ts';

const env = process.env;
const auth = process.argv.includes('--auth');
const ports = {
  bff: port(env, 'PORT', 3000),
  agent: port(env, 'AGENT_PORT', 8080),
  gateway: port(env, 'GATEWAY_PORT', 8090),
  site: port(env, 'DEMO_SITE_PORT', 3001),
};
const LOOPBACK = '127.0.0.1';
const publicHost = text(env, 'HOST', LOOPBACK);
/** Where this script checks that the BFF and the site answer. */
const reachable = publicHost === '0.0.0.0' ? LOOPBACK : publicHost;
const bffUrl = `http://localhost:${ports.bff}`;
const siteUrl = `http://localhost:${ports.site}`;
/** The demo site's sign-in, as the BFF is told to trust it. */
const identity = {
  AUTH_JWKS_URL: `http://${reachable}:${ports.site}/.well-known/jwks.json`,
  AUTH_ISSUER: siteUrl,
  AUTH_AUDIENCE: 'agent-chat-demo',
};

await build({ logLevel: 'warn' });

const children: ChildProcess[] = [];
let stopping = false;

/**
 * Notices that are not ours to act on, kept out of the output: the AWS SDK's on Node 20 (emitted as
 * a plain `Warning` whose text starts "NodeVersionSupportWarning", so `--disable-warning`, which
 * matches a warning's type or code, cannot catch it; the SDK's own switch does), and a deprecation
 * inside bedrock-agentcore's Fastify (a code, FSTDEP023, which the flag does catch).
 */
const QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

function start(name: string, entry: string, childEnv: Record<string, string>): void {
  const child = spawn(process.execPath, ['--disable-warning=FSTDEP023', '--import', 'tsx', entry], {
    env: { ...env, ...QUIET, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (data: Buffer) => data.toString().replace(/^(?=.)/gm, `[${name}] `);
  child.stdout!.on('data', (d: Buffer) => process.stdout.write(prefix(d)));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(prefix(d)));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[${name}] exited (${signal ?? code}); stopping the rest`);
      stop(1);
    }
  });
  children.push(child);
}

function stop(code: number): void {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() =>
    process.exit(code),
  );
  setTimeout(() => process.exit(code), 5000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitFor(url: string, name: string): Promise<void> {
  for (let i = 0; i < 300 && !stopping; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!stopping) {
    console.error(`${name} did not become healthy at ${url}`);
    stop(1);
  }
}

start('agent', 'agent/src/main.ts', {
  PORT: String(ports.agent),
  HOST: LOOPBACK,
  MODEL_PROVIDER: oneOf(env, 'MODEL_PROVIDER', ['offline', 'bedrock'], 'offline'),
});
start('gateway', 'dev/agentcore/gateway-main.ts', {
  GATEWAY_PORT: String(ports.gateway),
  HOST: LOOPBACK,
  AGENT_RUNTIME_URL: `http://${LOOPBACK}:${ports.agent}`,
});
if (auth)
  start('site', 'dev/demo-site.ts', { PORT: String(ports.site), HOST: publicHost, BFF_URL: bffUrl, ...identity });
start('bff', 'server/src/main.ts', {
  PORT: String(ports.bff),
  HOST: publicHost,
  AGENTCORE_ENDPOINT: `http://${LOOPBACK}:${ports.gateway}`,
  AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
  // The local gateway wants a SigV4 signature but has no AWS to check it against.
  AWS_ACCESS_KEY_ID: text(env, 'AWS_ACCESS_KEY_ID', 'local'),
  AWS_SECRET_ACCESS_KEY: text(env, 'AWS_SECRET_ACCESS_KEY', 'local'),
  SESSION_SECRET: text(env, 'SESSION_SECRET', randomBytes(32).toString('hex')),
  ...(auth ? { ...identity, ALLOWED_ORIGINS: `${siteUrl},http://127.0.0.1:${ports.site}` } : {}),
});

await waitFor(`http://${LOOPBACK}:${ports.agent}/ping`, 'the agent runtime');
await waitFor(`http://${LOOPBACK}:${ports.gateway}/ping`, 'the local AgentCore gateway');
if (auth) await waitFor(identity.AUTH_JWKS_URL, 'the demo site');
await waitFor(`http://${reachable}:${ports.bff}/health`, 'the BFF');
if (!stopping) {
  console.log(
    auth
      ? `\n  agent-chat is running on the offline demo model, in authenticated mode.\n  Open ${siteUrl}/ — a site with its own sign-in, calling the BFF at ${bffUrl}. Ctrl-C stops it.\n`
      : `\n  agent-chat is running on the offline demo model.\n  Open ${bffUrl}/ — Ctrl-C stops it.\n`,
  );
}
