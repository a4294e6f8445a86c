/**
 * `npm start`: builds the widget, then starts the agent runtime, the local AgentCore gateway and
 * the BFF on the offline model, and prints the URL to open. Ctrl-C stops all three.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { build } from 'vite';

const ports = {
  bff: Number(process.env.PORT ?? 3000),
  agent: Number(process.env.AGENT_PORT ?? 8080),
  gateway: Number(process.env.GATEWAY_PORT ?? 8090),
};

await build({ logLevel: 'warn' });

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, entry: string, env: Record<string, string>): void {
  // The SDK's Node 20 notice and a deprecation inside bedrock-agentcore's Fastify are not ours to act on.
  const child = spawn(process.execPath, ['--disable-warning=NodeVersionSupportWarning', '--disable-warning=FSTDEP023', '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
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
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code));
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

start('agent', 'agent/src/main.ts', { PORT: String(ports.agent), MODEL_PROVIDER: process.env.MODEL_PROVIDER ?? 'offline' });
start('gateway', 'agent/src/gateway-main.ts', {
  GATEWAY_PORT: String(ports.gateway),
  AGENT_RUNTIME_URL: `http://127.0.0.1:${ports.agent}`,
});
start('bff', 'server/src/main.ts', {
  PORT: String(ports.bff),
  AGENTCORE_ENDPOINT: `http://127.0.0.1:${ports.gateway}`,
  // The local gateway wants a SigV4 signature but has no AWS to check it against.
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
});

await waitFor(`http://127.0.0.1:${ports.agent}/ping`, 'the agent runtime');
await waitFor(`http://127.0.0.1:${ports.gateway}/ping`, 'the local AgentCore gateway');
await waitFor(`http://127.0.0.1:${ports.bff}/health`, 'the BFF');
if (!stopping) {
  console.log(`\n  agent-chat is running on the offline demo model.\n  Open http://localhost:${ports.bff}/ — Ctrl-C stops it.\n`);
}
