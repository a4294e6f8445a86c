import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, request as httpRequest } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { RUNTIME_SESSION_HEADER } from '../../protocol/agent-request.ts';
import { LOCAL_RUNTIME_ARN } from '../local-runtime.ts';
import { type Listening, createAgentCoreEmulator, listen, sendError } from './emulator.ts';

/**
 * The local AgentCore gateway, for development: it serves the data plane's invocation route the way
 * Bedrock AgentCore does and forwards each call to the runtime's `/invocations`, streaming bytes
 * through as they come. So the BFF runs the very same AWS SDK code path locally and in the cloud.
 */

export interface GatewayOptions {
  /** Base URL of the agent runtime, e.g. http://127.0.0.1:8080. */
  runtimeUrl: string;
  /** The one runtime this gateway serves. */
  runtimeArn?: string;
}

export type RunningGateway = Listening;

export function createGateway({ runtimeUrl, runtimeArn = LOCAL_RUNTIME_ARN }: GatewayOptions): Server {
  const runtime = new URL('/invocations', runtimeUrl);
  return createAgentCoreEmulator({
    runtimeArn,
    invoke: ({ req, res, sessionId }) => forward(req, res, runtime, sessionId ?? randomUUID()),
  });
}

function forward(req: IncomingMessage, res: ServerResponse, runtime: URL, sessionId: string): void {
  const upstream = httpRequest(runtime, {
    method: 'POST',
    headers: {
      'content-type': req.headers['content-type'] ?? 'application/json',
      accept: req.headers.accept ?? 'application/json',
      [RUNTIME_SESSION_HEADER]: sessionId,
      'x-amzn-bedrock-agentcore-runtime-request-id': randomUUID(),
    },
  });
  // The caller hung up: drop the runtime call too, so the agent run is cancelled.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.on('response', (answer) => {
    if ((answer.statusCode ?? 500) >= 400) {
      answer.resume();
      return sendError(res, 424, 'RuntimeClientError', `The agent runtime answered ${answer.statusCode}`);
    }
    res.writeHead(answer.statusCode ?? 200, {
      'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
      [RUNTIME_SESSION_HEADER]: sessionId,
    });
    res.flushHeaders();
    // Bytes go through as they arrive: no buffering of the agent's stream.
    pipeline(answer, res).catch(() => res.destroy());
  });
  upstream.on('error', () => {
    if (!res.headersSent) sendError(res, 424, 'RuntimeClientError', 'The agent runtime is not reachable');
    else res.destroy();
  });
  pipeline(req, upstream).catch(() => upstream.destroy());
}

/** Listens on loopback unless `host` says otherwise: the gateway checks no signature, so it is for this machine. */
export function listenGateway(server: Server, port: number, host = '127.0.0.1'): Promise<RunningGateway> {
  return listen(server, port, host);
}
