/**
 * Slow and greedy clients against the BFF as it ships, with its default limits (only the endpoint
 * and credentials configured): how long a connection that sends nothing, one that trickles its
 * headers, and one that trickles its body (a byte a second each) are kept before the BFF cuts them
 * with 408; how long an idle keep-alive connection is kept between requests (it must outlive a load
 * balancer's 60 s, or the balancer reuses a closed connection); and how many of 70 connections from
 * one address stay open. All at once, so the run takes about as long as the keep-alive (~66 s).
 */
import { startBff, startEndpoint } from './support/processes.ts';
import { figure, main } from './support/report.ts';
import { type RawConnection, chatRequest, rawConnection } from '../dev/support/raw-socket.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (n: number) => `${n.toFixed(2)} s`;
const count = (n: number) => String(n);

/** Sends `bytes` a byte a second until the BFF closes the connection; resolves with how long that took, and the first line it answered. */
async function trickle(url: string, opening: string, bytes: string): Promise<{ s: number; answer: string }> {
  const connection = await rawConnection(url);
  const started = performance.now();
  let open = true;
  void connection.closed.then(() => (open = false));
  connection.socket.write(opening);
  for (let i = 0; i < bytes.length && open; i++) {
    connection.socket.write(bytes[i]!);
    await sleep(1000);
  }
  await connection.closed;
  return { s: (performance.now() - started) / 1000, answer: connection.received.split('\r\n')[0]! };
}

async function idleKeepAlive(url: string): Promise<number> {
  const connection = await rawConnection(url);
  connection.socket.write('GET /health HTTP/1.1\r\nHost: bff\r\n\r\n');
  while (!connection.received.includes('\r\n\r\n')) await sleep(10);
  const started = performance.now();
  await connection.closed;
  return (performance.now() - started) / 1000;
}

async function fromOneAddress(url: string, n: number): Promise<number> {
  const connections: RawConnection[] = await Promise.all(
    Array.from({ length: n }, () => rawConnection(url, { localAddress: '127.0.0.9' })),
  );
  await sleep(500);
  const open = connections.filter((c) => !c.socket.destroyed).length;
  for (const c of connections) c.socket.destroy();
  return open;
}

main(async () => {
  const endpoint = await startEndpoint();
  // The shipped defaults: the bench's own settings for many browsers from one address are undone.
  const bff = await startBff(endpoint.url, { RATE_LIMIT_MAX: '', MAX_CONNECTIONS_PER_IP: '' });
  try {
    const request = chatRequest({ message: 'x'.repeat(200), session_id: 'slow' });
    const headersEnd = request.indexOf('\r\n\r\n') + 4;
    const [silent, headers, body, idle, open] = await Promise.all([
      trickle(bff.url, '', ''),
      trickle(bff.url, '', `GET /health HTTP/1.1\r\nHost: bff\r\nX-Slow: ${'a'.repeat(100)}`),
      trickle(bff.url, request.slice(0, headersEnd), request.slice(headersEnd)),
      idleKeepAlive(bff.url),
      fromOneAddress(bff.url, 70),
    ]);
    if (open < 64) throw new Error(`only ${open} of 70 connections from one address stayed open: the cap is 64`);
    for (const [what, { answer }] of [
      ['silent', silent],
      ['header trickler', headers],
      ['body trickler', body],
    ] as const) {
      if (!answer.startsWith('HTTP/1.1 408 '))
        throw new Error(`the ${what} was answered ${JSON.stringify(answer)}, not 408`);
    }
    figure('slow clients · silent connection cut after', silent.s, { kind: 'max', value: 12 }, seconds);
    figure('slow clients · header trickler cut after', headers.s, { kind: 'max', value: 12 }, seconds);
    figure('slow clients · body trickler cut after', body.s, { kind: 'max', value: 32 }, seconds);
    figure('slow clients · idle keep-alive kept for', idle, { kind: 'min', value: 60 }, seconds);
    figure('greedy · of 70 connections from one address, open', open, { kind: 'max', value: 64 }, count);
  } finally {
    await bff.stop();
    await endpoint.stop();
  }
});
