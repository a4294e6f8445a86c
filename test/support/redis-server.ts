import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before } from 'node:test';
import { freePort } from '../../dev/support/free-port.ts';

/** Debian's redis-server (installed by scripts/ensure-deps.mjs and .ci/run). */
const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM), as an outage; `start()` brings it back on the same port, empty. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** What `redis-cli` would answer, through a raw connection: for MEMORY USAGE and the like. */
  command(...args: string[]): Promise<string>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/**
 * A real redis-server for one test file, on a free port, with persistence off (`--save ''
 * --appendonly no`): nothing of it outlives the test run, and a restart comes back empty.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (const started = Date.now(); !(await answers(port)); await new Promise((r) => setTimeout(r, 20))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() - started > 10_000) throw new Error('redis-server did not answer within 10 s');
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    command: (...args) =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let reply = '';
        socket.on('data', (d) => {
          reply += d;
          if (reply.endsWith('\r\n')) {
            socket.destroy();
            resolve(reply.trim());
          }
        });
        socket.once('error', reject);
        socket.once('connect', () =>
          socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
        );
      }),
  };
}

/** A redis-server for the tests of one file: started before them, stopped after. Its `url` once started. */
export function useRedis(): { readonly url: string } {
  let redis: RedisServer | undefined;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.stop());
  return {
    get url() {
      if (!redis) throw new Error('redis-server is not started yet: read url inside a test');
      return redis.url;
    },
  };
}
