import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { rawConnection } from '../../dev/support/raw-socket.ts';

/** The BFF's production build (`npm run build` → server/dist/main.mjs) runs on plain Node, no TypeScript loader. */
describe('the BFF production build', () => {
  let bff: ChildProcess;
  let url: string;
  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    bff = spawn(process.execPath, ['server/dist/main.mjs'], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        AGENTCORE_ENDPOINT: 'http://127.0.0.1:9', // nothing listens there
        AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        SESSION_SECRET: 'x'.repeat(40),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('node server/dist/main.mjs did not answer /health');
  });
  after(async () => {
    if (bff.exitCode === null) {
      bff.kill('SIGTERM');
      await once(bff, 'exit');
    }
  });

  it('serves the API: health, a refused request, and a stream that reports an unreachable agent', async () => {
    assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: 'ok' });
    const refused = await fetch(`${url}/v1/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error.code, 'invalid_message');
    const stream = await fetch(`${url}/v1/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'hi' }),
    });
    const text = await stream.text();
    assert.match(text, /event: error\ndata: \{"code":"upstream_unreachable"/);
    assert.match(text, /event: done\ndata: \{"status":"error"\}/);
  });

  it('listens on all interfaces by default (it is the public part)', async () => {
    const connection = await rawConnection(url.replace('127.0.0.1', '127.0.0.2'));
    connection.socket.end('GET /health HTTP/1.1\r\nHost: bff\r\nConnection: close\r\n\r\n');
    await connection.closed;
    assert.match(connection.received, /^HTTP\/1.1 200 /);
  });

  it('stops cleanly on SIGTERM', async () => {
    bff.kill('SIGTERM');
    const [code] = await once(bff, 'exit');
    assert.equal(code, 0);
  });
});
