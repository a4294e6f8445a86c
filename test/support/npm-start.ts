import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../dev/support/free-port.ts';

export interface StartedStack {
  stack: ChildProcess;
  /** The URL it printed to open. */
  url: string;
  /** Every port it listens on: the BFF, the agent, the gateway (and the demo site with --auth). */
  ports: Record<string, number>;
}

/**
 * `npm start`'s script (`args`: `--auth` for start:auth) on free ports, once it has printed the URL to open;
 * `env` adds to (or overrides) its environment.
 */
export async function npmStart(args: string[] = [], env: Record<string, string> = {}): Promise<StartedStack> {
  const names = {
    bff: 'PORT',
    agent: 'AGENT_PORT',
    gateway: 'GATEWAY_PORT',
    ...(args.includes('--auth') ? { site: 'DEMO_SITE_PORT' } : {}),
  };
  const ports: Record<string, number> = {};
  for (const name of Object.keys(names)) ports[name] = await freePort();
  const stack = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts', ...args], {
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(names).map(([name, variable]) => [variable, String(ports[name])])),
      OFFLINE_TOKEN_DELAY_MS: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  stack.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    stack.stdout!.on('data', (d) => {
      output += d;
      const match = /Open (http:\/\/localhost:\d+\/)/.exec(output);
      if (match) resolve(match[1]!);
    });
    stack.once('exit', (code) => reject(new Error(`npm start ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return { stack, url, ports };
}

/** Ctrl-C, and the script's exit. */
export async function stopStack(stack: ChildProcess | undefined): Promise<void> {
  if (!stack || stack.exitCode !== null) return;
  stack.kill('SIGINT');
  await new Promise((r) => stack.once('exit', r));
}
