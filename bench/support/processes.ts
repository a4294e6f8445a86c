import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { askChild } from './ipc.ts';

/**
 * The benchmarks run the endpoint, the relay under test and the clients in separate processes:
 * each has its own event loop and heap, so one part's work never shows up as another's latency,
 * and the BFF's RSS and CPU time are its own.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Child {
  url: string;
  ask<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

export interface CpuUsage {
  user: number;
  system: number;
}

/** What the synthetic endpoint saw since its stats were last reset. */
export interface EndpointStats {
  open: number;
  maxOpen: number;
  connections: { signed: number; unsigned: number };
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** The AgentCore data-plane path the SDK calls for the runtime, as the byte pipe must be called too. */
export const INVOKE_PATH = `/runtimes/${encodeURIComponent(LOCAL_RUNTIME_ARN)}/invocations?qualifier=DEFAULT`;

/** Keeps a child's last lines of output, to show when it fails (the BFF logs every request). */
function tail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

/** A Node child process; `nodeArgs` run as they are (the bench's own TypeScript parts add tsx). */
function spawnNode(nodeArgs: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  // No AWS settings of whoever runs the bench (a profile, a real key) reach the processes under test.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return { child, output: tail(child) };
}

function handle(child: ChildProcess, url: string): Child {
  return {
    url,
    ask: (type) => askChild(child, type),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // The BFF gives open streams up to 10 s to close on SIGTERM; ours have none left by now.
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

/** Waits for a child of ours to report its URL over IPC. */
async function ready(args: string[]): Promise<Child> {
  const { child, output } = spawnNode(['--import', 'tsx', ...args]);
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { ready?: string }) => m.ready && resolve(m.ready));
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with ${code}:\n${output()}`)));
  });
  return handle(child, url);
}

export function startEndpoint(): Promise<Child> {
  return ready(['bench/support/synthetic-agentcore.ts']);
}

export function startBytePipe(upstream: string): Promise<Child> {
  return ready(['bench/support/byte-pipe.ts', upstream]);
}

/** The BFF's production command, `npm run start:server` (`node <flags> server/dist/main.mjs`), taken apart. */
const SHIPPED_BFF = (() => {
  const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const [node, ...args] = scripts['start:server']!.split(/\s+/);
  if (node !== 'node' || !args.at(-1)?.endsWith('.mjs'))
    throw new Error('start:server is not "node [flags] <file>.mjs"');
  return { nodeFlags: args.slice(0, -1), entry: args.at(-1)! };
})();

/**
 * The BFF as it ships: its production build, `server/dist/main.mjs` (`npm run build:server`), run
 * by plain Node with the flags of `npm run start:server`, configured through its environment like
 * any deployment, pointed at the synthetic endpoint, with explicit (fake) AWS credentials for
 * SigV4. `bench/support/probe.mjs` is preloaded to report CPU time and memory over IPC.
 */
export async function startBff(endpoint: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const port = await freePort();
  const { child, output } = spawnNode(
    [...SHIPPED_BFF.nodeFlags, '--expose-gc', '--import', './bench/support/probe.mjs', SHIPPED_BFF.entry],
    {
      PORT: String(port),
      AGENTCORE_ENDPOINT: endpoint,
      AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      SESSION_SECRET: 'bench-secret-0123456789abcdef0123456789',
      SERVE_DEMO: 'false',
      // One client address stands for many browsers here.
      RATE_LIMIT_MAX: '1000000',
      MAX_CONNECTIONS_PER_IP: '1000000',
      ...env,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the BFF exited with ${code}:\n${output()}`);
  });
  for (const started = Date.now(); ; ) {
    const health = await Promise.race([
      fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (health) break;
    if (Date.now() - started > 30_000) throw new Error(`the BFF did not answer /health within 30 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  exited.catch(() => {}); // after a clean start, an exit is stop()'s doing
  return handle(child, url);
}
