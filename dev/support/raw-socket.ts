import { type Socket, connect } from 'node:net';

/** The bytes of one `POST /v1/chat/stream`, exactly as a client would put them on the wire. */
export function chatRequest(body: unknown, headers: Record<string, string> = {}): string {
  const json = JSON.stringify(body);
  const lines = Object.entries({
    host: 'bff',
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...headers,
    'content-length': String(Buffer.byteLength(json)),
  });
  return `POST /v1/chat/stream HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${json}`;
}

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received: string;
  /** Resolves when the connection has closed, whoever closed it. */
  closed: Promise<void>;
}

/**
 * A TCP connection to `url` that does only what the test says: write any bytes, read or not,
 * close or not. `localAddress` picks the client's address (any 127.x.y.z works on Linux loopback).
 */
export function rawConnection(url: string, { localAddress }: { localAddress?: string } = {}): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
    const connection: RawConnection = {
      socket,
      received: '',
      closed: new Promise((r) => socket.once('close', () => r())),
    };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (connection.received += d));
    socket.on('error', () => {}); // a reset is one of the outcomes a test looks at, through `closed`
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}
