/**
 * The physical limit for a relay, run as its own process by the relay benchmark: an HTTP proxy
 * that forwards the request to the synthetic AgentCore endpoint and pipes the response bytes back
 * as they arrive. No parsing, no mapping, no SDK: whatever a relay does beyond this is its overhead.
 */
import { type IncomingHttpHeaders, Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { answerIpc } from './ipc.ts';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

const server = createServer((req, res) => {
  const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
  const forward = request(new URL(req.url ?? '/', upstream), { method: req.method, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    pipeline(answer, res).catch(() => res.destroy());
  });
  forward.on('error', () => res.destroy());
  pipeline(req, forward).catch(() => forward.destroy());
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  answerIpc({ cpu: () => process.cpuUsage() });
  process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
