import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientKey } from '../src/connection-limits.ts';
import { withFakeBff } from '../../test/support/bff.ts';
import { stallAfterStart } from '../../test/support/fake-agentcore.ts';
import { ChatStream, type RequestOptions, send } from '../../test/support/http-client.ts';
import { chatRequest, rawConnection } from '../../dev/support/raw-socket.ts';
import { waitFor, within } from '../../test/support/wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A second client address: all of 127/8 is this machine's loopback. */
const ATTACKER = '127.0.0.2';
/** The deadlines these tests give the BFF (production: 10 s and 30 s), short so the tests are. */
const FAST = { HEADERS_TIMEOUT_MS: '600', REQUEST_TIMEOUT_MS: '1500' };

/** Writes `bytes` one at a time, `everyMs` apart, until the connection closes; resolves with when it closed. */
async function trickle(
  connection: Awaited<ReturnType<typeof rawConnection>>,
  bytes: string,
  everyMs: number,
): Promise<number> {
  let open = true;
  void connection.closed.then(() => (open = false));
  for (let i = 0; i < bytes.length && open; i++) {
    connection.socket.write(bytes[i]!);
    await sleep(everyMs);
  }
  await connection.closed;
  return performance.now();
}

describe('client addresses as the limits count them', () => {
  it('IPv4 as is, IPv4-mapped IPv6 as its IPv4 address, IPv6 by its /64', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:cb00:7107'), '203.0.113.7');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
    assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('203.0.113.7'));
  });
});

describe('slow clients: headers within HEADERS_TIMEOUT_MS of the first byte, the body within REQUEST_TIMEOUT_MS', () => {
  it('slowloris: one address trickling headers on many connections gets MAX_CONNECTIONS_PER_IP of them, each cut at the deadline, while others are served', async () => {
    await withFakeBff({ ...FAST, MAX_CONNECTIONS_PER_IP: '8' }, async (_fake, bff) => {
      const started = performance.now();
      const connections = await Promise.all(
        Array.from({ length: 12 }, () => rawConnection(bff.url, { localAddress: ATTACKER })),
      );
      const trickles = connections.map((c) =>
        trickle(c, `GET /health HTTP/1.1\r\nHost: bff\r\nX-Slow: ${'a'.repeat(200)}`, 50),
      );

      // The four past the cap are dropped at once, before a byte is read.
      await waitFor(() => bff.refused.length === 4, 'four connections to be refused');
      assert.deepEqual(bff.refused, Array(4).fill('max_connections_per_ip'));
      assert.equal(connections.filter((c) => c.socket.destroyed).length, 4);

      // Another client is served as usual meanwhile.
      const chat = new ChatStream(bff.url, { message: 'Hello', session_id: 'bystander' });
      await chat.finished;
      assert.deepEqual(chat.events.at(-1)?.data, { status: 'complete' });

      // The eight tricklers are cut at the headers' deadline with 408, though they never stopped sending.
      const closedAt = await within(Promise.all(trickles), 'the tricklers to be cut', 10_000);
      const timedOut = connections.flatMap((c, i) =>
        c.received.startsWith('HTTP/1.1 408 ') ? [closedAt[i]! - started] : [],
      );
      assert.equal(timedOut.length, 8, 'eight answered 408 Request Timeout');
      for (const ms of timedOut) assert.ok(ms >= 550, `cut after ${ms.toFixed(0)} ms`);

      // Their places are free again.
      const again = await rawConnection(bff.url, { localAddress: ATTACKER });
      again.socket.write('GET /health HTTP/1.1\r\nHost: bff\r\nConnection: close\r\n\r\n');
      await again.closed;
      assert.match(again.received, /^HTTP\/1.1 200 /);
    });
  });

  it("a connection that sends nothing at all is closed at the headers' deadline", async () => {
    await withFakeBff(FAST, async (_fake, bff) => {
      const started = performance.now();
      const silent = await rawConnection(bff.url);
      await within(silent.closed, 'the silent connection to be closed', 10_000);
      assert.ok(performance.now() - started >= 550);
    });
  });

  it("a body trickled byte by byte is cut at the request's deadline, and no run starts", async () => {
    await withFakeBff(FAST, async (fake, bff) => {
      const connection = await rawConnection(bff.url);
      const request = chatRequest({ message: 'x'.repeat(200), session_id: 'drip' });
      const headersEnd = request.indexOf('\r\n\r\n') + 4;
      connection.socket.write(request.slice(0, headersEnd));
      const started = performance.now();
      const closedAt = await within(
        trickle(connection, request.slice(headersEnd), 20),
        'the trickler to be cut',
        10_000,
      );
      assert.ok(closedAt - started >= 1400, `cut after ${(closedAt - started).toFixed(0)} ms`);
      assert.match(connection.received, /^HTTP\/1.1 408 /);
      assert.equal(fake.calls.length, 0);
      await waitFor(() => bff.logs.length === 1, 'its log line');
    });
  });

  it("does not cut an idle keep-alive connection between requests (a load balancer's, waiting to be reused)", async () => {
    await withFakeBff(FAST, async (_fake, bff) => {
      const connection = await rawConnection(bff.url);
      const health = 'GET /health HTTP/1.1\r\nHost: bff\r\n\r\n';
      connection.socket.write(health);
      await waitFor(() => connection.received.includes('{"status":"ok"}'), 'the first answer');
      await sleep(2000); // over three headers' deadlines, and more than the request's
      assert.equal(connection.socket.destroyed, false, 'still open');
      connection.socket.write(health);
      await waitFor(
        () => connection.received.split('{"status":"ok"}').length === 3,
        'the second answer on the same connection',
      );
      connection.socket.destroy();
    });
  });
});

describe('greedy clients: MAX_CONNECTIONS in all', () => {
  it('drops connections past MAX_CONNECTIONS before reading them, and takes new ones once others close', async () => {
    await withFakeBff({ MAX_CONNECTIONS: '3' }, async (_fake, bff) => {
      const open = await Promise.all([1, 2, 3].map(() => rawConnection(bff.url)));
      const extra = await rawConnection(bff.url);
      extra.socket.write('GET /health HTTP/1.1\r\nHost: bff\r\n\r\n');
      await within(extra.closed, 'the fourth connection to be dropped');
      assert.equal(extra.received, '');
      assert.deepEqual(bff.refused, ['max_connections']);

      open[0]!.socket.destroy();
      await sleep(100);
      const next = await rawConnection(bff.url);
      next.socket.write('GET /health HTTP/1.1\r\nHost: bff\r\nConnection: close\r\n\r\n');
      await next.closed;
      assert.match(next.received, /^HTTP\/1.1 200 /);
      for (const c of open) c.socket.destroy();
    });
  });
});

describe('behind a load balancer (TRUST_PROXY_HOPS > 0)', () => {
  it("accepts any number of the balancer's connections, and caps requests in progress per forwarded client address instead", async () => {
    await withFakeBff(
      { TRUST_PROXY_HOPS: '1', MAX_CONNECTIONS_PER_IP: '2', RESUME_GRACE_MS: '0' },
      async (fake, bff) => {
        fake.next(stallAfterStart, stallAfterStart, stallAfterStart, stallAfterStart);
        const stream = (address: string, session_id: string) =>
          new ChatStream(bff.url, { message: 'Think', session_id }, { 'x-forwarded-for': address });
        // Each ChatStream has a connection of its own: more than MAX_CONNECTIONS_PER_IP from the one "balancer" address, all accepted.
        const a1 = stream('2001:db8:1:2::1', 'a1');
        const a2 = stream('2001:db8:1:2::99', 'a2'); // the same /64: the same client
        const b1 = stream('203.0.113.7', 'b1');
        const b2 = stream('::ffff:203.0.113.7', 'b2'); // the same IPv4 client
        for (const s of [a1, a2, b1, b2]) await s.until((x) => x.has('agent_start'));

        const refused: RequestOptions = {
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '2001:db8:1:2::5' },
          body: '{"message":"hi"}',
        };
        const third = await send(bff.url, refused);
        assert.equal(third.status, 429);
        assert.equal(third.json.error.code, 'too_many_connections');
        assert.equal(
          (await send(bff.url, { ...refused, headers: { ...refused.headers, 'x-forwarded-for': '2001:db8:1:3::5' } }))
            .status,
          200,
          'another /64 is another client',
        );
        assert.deepEqual(bff.refused, []);

        a1.close();
        await a1.finished;
        await waitFor(() => bff.runs.size === 3, 'a1 to end');
        const again = await send(bff.url, refused);
        assert.equal(again.status, 200, 'a place is free again');
        for (const s of [a2, b1, b2]) s.close();
      },
    );
  });
});
