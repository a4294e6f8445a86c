import assert from 'node:assert/strict';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { createHttpServer } from '../src/http-server.ts';

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createHttpServer', () => {
  it("makes requests and responses with Express's prototypes before Express sees them, and Express works as usual", async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.post('/echo', express.json(), (req, res) => {
      res.status(201).json({ ip: req.ip, type: req.get('content-type'), body: req.body });
    });
    const server = createHttpServer(app, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 100,
      maxConnectionsPerIp: 100,
      trustProxyHops: 1,
    });
    // Runs before the app: what Node made, not what Express turned it into.
    const born: [object | null, object | null][] = [];
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
      born.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]),
    );
    const url = await listening(server);
    try {
      const response = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
        body: JSON.stringify({ hello: 'world' }),
      });
      assert.equal(response.status, 201);
      assert.deepEqual(await response.json(), {
        ip: '203.0.113.7',
        type: 'application/json',
        body: { hello: 'world' },
      });
      assert.equal(born.length, 1);
      assert.equal(born[0]![0], app.request, 'the request is born an Express request');
      assert.equal(born[0]![1], app.response, 'the response is born an Express response');
    } finally {
      server.close();
    }
  });
});
