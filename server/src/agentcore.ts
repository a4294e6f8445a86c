import type { Readable } from 'node:stream';
import { type BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { MalformedUpstreamError } from '../../protocol/agent-events.ts';
import { type SseMessage, SseParser } from '../../protocol/sse.ts';
import { abortWith } from './agentcore-client.ts';
import type { ServerConfig } from './config.ts';

export interface InvokeRequest {
  /** The invocation's JSON body as bytes: Wire 1's `{"prompt"}`, or a client's RunAgentInput as it was sent (AG-UI). */
  payload: Uint8Array;
  runtimeSessionId: string;
  /** Aborts the AgentCore call at once, whatever it is waiting for; the call then throws `signal.reason`. */
  signal: AbortSignal;
  /** Called whenever upstream bytes arrive, keep-alive comments included: the agent is still there. */
  onActivity?: () => void;
  /**
   * Whether a message is the run's last (Wire 1's AGENT_END, AG-UI's RUN_FINISHED or RUN_ERROR):
   * once it has come, the connection is let go of gently and goes back to the pool.
   */
  isLast: (message: SseMessage) => boolean;
}

/**
 * The largest upstream event the BFF will hold while it arrives. Tokens are bytes; a tool result is
 * the big one. Past this the upstream is broken or hostile, and the run fails instead of the BFF
 * buffering without end.
 */
export const MAX_UPSTREAM_EVENT_BYTES = 1024 * 1024;

/**
 * Runs the agent once and yields its SSE messages as they arrive, in batches: each batch holds
 * the messages that one upstream chunk completed. A token stream under load packs many events into
 * a chunk, and handling them together costs one async step and one socket write, not one each.
 * What the messages mean (Wire 1) is the relay's business.
 */
export type AgentInvoker = (request: InvokeRequest) => AsyncIterable<readonly SseMessage[]>;

/**
 * Invokes the AgentCore runtime through the AWS SDK and parses its SSE response incrementally:
 * each message is yielded the moment the chunk completing it arrives. Reading is pull-based: the
 * socket is read as fast as the run (run.ts) takes the messages, which it always does at once.
 */
export function agentCoreInvoker(
  client: BedrockAgentCoreClient,
  config: Pick<ServerConfig, 'runtimeArn' | 'qualifier'>,
): AgentInvoker {
  return async function* invoke({ payload, runtimeSessionId, signal, onActivity, isLast }) {
    let body: Readable | undefined;
    let ended = false;
    try {
      // The SDK tears the connection down on abort, before and after the response headers alike.
      const command = new InvokeAgentRuntimeCommand({
        agentRuntimeArn: config.runtimeArn,
        qualifier: config.qualifier,
        runtimeSessionId,
        // Without both, bedrock-agentcore answers 415 / 406.
        contentType: 'application/json',
        accept: 'text/event-stream',
        payload,
      });
      abortWith(command.input, signal);
      const response = await client.send(command);
      // On Node the SDK hands over the HTTP response itself.
      body = response.response as unknown as Readable | undefined;
      if (!body) throw new MalformedUpstreamError('AgentCore answered without a body');
      const parser = new SseParser(MAX_UPSTREAM_EVENT_BYTES);
      for await (const chunk of body.iterator({ destroyOnReturn: false })) {
        onActivity?.();
        const messages = parser.feed(chunk as Uint8Array);
        // Before the yield: the consumer stops pulling once it sees the last event.
        if (messages.some(isLast)) ended = true;
        if (messages.length) yield messages;
      }
      const rest = parser.end();
      if (rest.length) yield rest;
    } catch (error) {
      // An aborted call fails with whatever the socket saw ("aborted", ECONNRESET): the reason it was aborted is the truth.
      throw signal.aborted ? signal.reason : error;
    } finally {
      if (body && !body.readableEnded) release(body, ended);
    }
  };
}

/**
 * Lets go of a response the run no longer reads. After its last event it is as good as over: its last
 * bytes are let in so the keep-alive connection goes back to the SDK's pool for the next run (no
 * new TLS handshake); one that does not end promptly, or any other, is dropped — nothing is left
 * half read.
 */
function release(body: Readable, afterLastEvent: boolean): void {
  if (!afterLastEvent) {
    body.destroy();
    return;
  }
  const timer = setTimeout(() => body.destroy(), 1000);
  timer.unref();
  body.once('close', () => clearTimeout(timer)).resume();
}
