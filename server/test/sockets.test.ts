import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_WIRE } from '../src/run-wire.ts';
import { Run, newRunId } from '../src/run.ts';
import { shutdown } from '../src/shutdown.ts';
import { type Bff, withFakeBff } from '../../test/support/bff.ts';
import { type FakeAgentCore, type Script, flood, stallAfterStart } from '../../test/support/fake-agentcore.ts';
import { ChatStream } from '../../test/support/http-client.ts';
import { chatRequest, rawConnection } from '../../dev/support/raw-socket.ts';
import { waitFor, within } from '../../test/support/wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What must hold once every connection a test opened is gone: no run left, every upstream call
 * aborted, exactly one log line per request, and every conversation free to answer again.
 */
async function assertAllEnded(
  fake: FakeAgentCore,
  bff: Bff,
  sessions: string[],
  logLinesBefore: number,
): Promise<void> {
  await waitFor(() => bff.runs.size === 0, 'every run to end');
  await within(Promise.all(fake.calls.map((c) => c.aborted)), 'every upstream call to be aborted');
  await fake.settled();
  await waitFor(() => bff.logs.length - logLinesBefore >= sessions.length, 'a log line per request');
  const lines = bff.logs.slice(logLinesBefore).filter((l) => l.msg === 'request');
  assert.equal(lines.length, sessions.length, 'exactly one log line per request');
  assert.equal(new Set(lines.map((l) => l.request_id)).size, sessions.length);
  assert.ok(
    lines.every((l) => l.outcome === 'cancelled'),
    JSON.stringify(lines.map((l) => l.outcome)),
  );
  for (const session_id of [sessions[0]!, sessions.at(-1)!]) {
    const again = new ChatStream(bff.url, { message: 'Still there?', session_id });
    await again.finished;
    assert.deepEqual(again.events.at(-1)?.data, { status: 'complete' }, `${session_id} answers again`);
  }
}

/** RESUME_GRACE_MS=0; runs large enough that a flood never fills one within a test. */
const NO_GRACE = { RESUME_GRACE_MS: '0', MAX_RUN_BYTES: String(2 ** 30) };

describe('RESUME_GRACE_MS=0: no run outlives its request, whatever the client does with its socket', () => {
  it('pipelined: 10 sockets of 5 POSTs each, dropped while the first answers stream — every run ends', async () => {
    await withFakeBff(NO_GRACE, async (fake, bff) => {
      fake.next(...Array<Script>(50).fill(stallAfterStart));
      const before = bff.logs.length;
      const sessions: string[] = [];
      const connections = await Promise.all(
        Array.from({ length: 10 }, async (_, s) => {
          const connection = await rawConnection(bff.url);
          let bytes = '';
          for (let k = 0; k < 5; k++) {
            sessions.push(`pipe-${s}-${k}`);
            bytes += chatRequest({ message: 'Think', session_id: `pipe-${s}-${k}` });
          }
          connection.socket.write(bytes);
          return connection;
        }),
      );
      // Every request was taken: 50 agent runs, though only each socket's first response can be sent.
      await waitFor(() => fake.calls.length === 50 && bff.runs.size === 50, 'all 50 runs to start');
      await sleep(200);
      for (const c of connections) c.socket.destroy();

      await assertAllEnded(fake, bff, sessions, before);
      await within(shutdown(bff.server, bff.runs, bff.store, 5000), 'shutdown', 1000);
    });
  });

  const cases: [name: string, script: Script, client: (socket: import('node:net').Socket) => Promise<void>][] = [
    [
      'half-read: the client reads the start of the answer, then nothing',
      flood(1024),
      async (socket) => {
        await sleep(100);
        socket.pause();
        await sleep(300);
      },
    ],
    [
      'never read: the client sends its request and never reads a byte',
      flood(1024),
      async (socket) => {
        socket.pause();
        await sleep(300);
      },
    ],
    [
      'half-closed: the client ends its side after the request, then goes',
      stallAfterStart,
      async (socket) => {
        socket.end();
        await sleep(200);
      },
    ],
  ];
  for (const [name, script, client] of cases) {
    it(name, async () => {
      await withFakeBff(NO_GRACE, async (fake, bff) => {
        fake.next(script);
        const before = bff.logs.length;
        const connection = await rawConnection(bff.url);
        connection.socket.write(chatRequest({ message: 'Talk', session_id: 'one' }));
        await waitFor(() => fake.calls.length === 1, 'the run to start');
        await client(connection.socket);
        connection.socket.destroy();
        await assertAllEnded(fake, bff, ['one'], before);
      });
    });
  }

  it('a body cut off halfway starts no run and logs one line', async () => {
    await withFakeBff({}, async (fake, bff) => {
      const connection = await rawConnection(bff.url);
      const request = chatRequest({ message: 'Hello there', session_id: 'cut' });
      connection.socket.write(request.slice(0, -5));
      await sleep(100);
      connection.socket.destroy();
      await waitFor(() => bff.logs.length === 1, 'the log line');
      assert.equal(bff.logs[0]!.path, '/v1/chat/stream');
      assert.equal(fake.calls.length, 0);
      assert.equal(bff.runs.size, 0);
    });
  });
});

describe('shutdown() finishes within its grace period, always', () => {
  it('with pipelined requests queued on sockets nobody reads', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(...Array<Script>(6).fill(flood(1024)));
      const connections = await Promise.all(
        [0, 1].map(async (s) => {
          const connection = await rawConnection(bff.url);
          connection.socket.pause();
          connection.socket.write(
            [0, 1, 2].map((k) => chatRequest({ message: 'Talk', session_id: `queued-${s}-${k}` })).join(''),
          );
          return connection;
        }),
      );
      await waitFor(() => bff.runs.size === 6, 'all six runs to start');
      const started = performance.now();
      await within(shutdown(bff.server, bff.runs, bff.store, 500), 'shutdown', 5000);
      const took = performance.now() - started;
      assert.ok(took < 3000, `shutdown took ${took.toFixed(0)} ms with a grace period of 500 ms`);
      // A paused socket notices the server's close only once it reads again.
      for (const c of connections) c.socket.resume();
      await Promise.all(connections.map((c) => within(c.closed, 'the connection to close')));
      await waitFor(() => bff.runs.size === 0, 'every run to end');
      await fake.settled();
    });
  });

  it('even when a run never ends', async () => {
    await withFakeBff({}, async (_fake, bff) => {
      // A run nothing drives: stopping it never ends it.
      bff.runs.add(
        new Run({
          id: newRunId(),
          wire: CHAT_WIRE,
          owner: undefined,
          conversation: 'c',
          maxBytes: 1024,
          graceMs: 0,
          host: bff.store,
        }),
      );
      await within(shutdown(bff.server, bff.runs, bff.store, 300), 'shutdown', 5000);
      assert.equal(bff.server.listening, false);
    });
  });
});
