import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { TEST_CREDENTIALS } from './bff.ts';

export interface BffProcess {
  url: string;
  child: ChildProcess;
  /** Its log lines so far, parsed. */
  logs: Record<string, any>[];
  /** SIGTERM (graceful shutdown) and its exit. */
  stop(): Promise<void>;
  /** SIGKILL: the instance dies with its runs, as in a crash. */
  kill(): Promise<void>;
}

/**
 * The BFF as its own process (`server/src/main.ts`, as `npm start` runs it), pointed at `endpoint`,
 * with `env` on top of the tests' usual settings: for what one process cannot show — several
 * instances behind one Redis, and an instance that dies.
 */
export async function startBffProcess(endpoint: string, env: NodeJS.ProcessEnv = {}): Promise<BffProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      AGENTCORE_ENDPOINT: endpoint,
      AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SESSION_SECRET: 'test-secret',
      SERVE_DEMO: 'false',
      RATE_LIMIT_MAX: '100000',
      MAX_CONNECTIONS_PER_IP: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, any>[] = [];
  let output = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d;
    const lines = (pending + d).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line));
  });
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the BFF exited with ${code}:\n${output}`);
  });
  exited.catch(() => {});
  for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
    const ok = await Promise.race([
      fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ok) break;
    if (Date.now() - started > 30_000) throw new Error(`the BFF did not answer within 30 s:\n${output}`);
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await once(child, 'exit');
  };
  return { url, child, logs, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
