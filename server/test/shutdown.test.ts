import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { describe, it } from 'node:test';
import { SHUTTING_DOWN, shutdown } from '../src/shutdown.ts';
import { withFakeBff } from '../../test/support/bff.ts';
import { flood, stallAfterStart, startFakeAgentCore } from '../../test/support/fake-agentcore.ts';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { ChatStream, send } from '../../test/support/http-client.ts';
import { waitFor } from '../../test/support/wait.ts';

const TOLD = { code: 'shutting_down', message: 'The server is restarting. Try again in a moment.', retryable: true };

/** A keep-alive connection left idle after one request, as browsers and load balancers keep them. */
async function idleKeepAliveConnection(url: string): Promise<{ closed: Promise<void> }> {
  const agent = new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const req = request(new URL('/health', url), { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ closed: new Promise((r) => req.socket!.once('close', () => r())) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('ends every open stream with error shutting_down + done, aborts their agent calls, closes every connection', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(stallAfterStart, stallAfterStart, stallAfterStart);
      const streams = [1, 2, 3].map((i) => new ChatStream(bff.url, { message: 'Think', session_id: `open-${i}` }));
      for (const s of streams) await s.until((x) => x.has('agent_start'));
      const idle = await idleKeepAliveConnection(bff.url);

      await shutdown(bff.server, bff.runs, bff.store);

      for (const s of streams) {
        await s.finished;
        assert.ok(s.response?.complete, 'the response ended cleanly');
        assert.deepEqual(
          s.events.map((e) => e.event),
          ['start', 'agent_start', 'error', 'done'],
        );
        assert.deepEqual(s.find('error')!.data, TOLD);
        assert.deepEqual(s.events.at(-1)!.data, { status: 'error' });
      }
      await idle.closed;
      assert.equal(bff.server.listening, false);
      await assert.rejects(send(bff.url, { method: 'GET', path: '/health' }), /ECONNREFUSED/);
      assert.ok(
        fake.calls.every((c) => c.abortedAt !== undefined),
        'every agent call was aborted',
      );
      await fake.settled();
    });
  });

  it('does not wait past its grace period for a browser that is not reading', async () => {
    await withFakeBff({}, async (fake, bff) => {
      fake.next(flood(1024));
      const stalled = new ChatStream(bff.url, { message: 'Talk', session_id: 'stalled' });
      await stalled.until((s) => s.events.length >= 10);
      stalled.pause();
      await waitFor(() => bff.responses.at(-1)!.writableNeedDrain, 'the BFF to be held up by the browser');

      await shutdown(bff.server, bff.runs, bff.store, 300);
      assert.equal(bff.server.listening, false);
      await fake.settled();
    });
  });

  it('reports shutting_down on /health and refuses new chats (503) once it has begun', async () => {
    await withFakeBff({}, async (fake, bff) => {
      await bff.runs.stopAll(SHUTTING_DOWN);
      const health = await send(bff.url, { method: 'GET', path: '/health' });
      assert.equal(health.status, 503);
      assert.deepEqual(health.json, { status: 'shutting_down' });
      const chat = await send(bff.url, { headers: { 'content-type': 'application/json' }, body: '{"message":"Hi"}' });
      assert.equal(chat.status, 503);
      assert.equal(chat.json.error.code, 'shutting_down');
      assert.equal(fake.calls.length, 0);
    });
  });

  it('runs on SIGTERM in the real process (server/src/main.ts), which then exits 0', async () => {
    const fake = await startFakeAgentCore();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: {
        ...process.env,
        // The SDK's switch for its Node 20 notice (--disable-warning cannot match it: it is a plain Warning).
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PORT: String(port),
        AGENTCORE_ENDPOINT: fake.url,
        AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
        AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
        AWS_SECRET_ACCESS_KEY: 'test',
        SESSION_SECRET: 'test-secret',
        SERVE_DEMO: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => output.includes('"msg":"listening"'), `the BFF to listen:\n${output}`, 30_000);
      fake.next(stallAfterStart);
      const stream = new ChatStream(`http://127.0.0.1:${port}`, { message: 'Think', session_id: 'signal' });
      await stream.until((s) => s.has('agent_start'));

      child.kill('SIGTERM');
      await stream.finished;
      assert.deepEqual(stream.find('error')?.data, TOLD);
      assert.deepEqual(stream.events.at(-1)?.data, { status: 'error' });
      assert.equal(await exited, 0);
      const lines = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      assert.ok(
        lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM' && l.open_streams === 1),
        output,
      );
      assert.ok(
        lines.some((l) => l.msg === 'request' && l.outcome === 'shutting_down'),
        output,
      );
      await fake.settled();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fake.close();
    }
  });
});
