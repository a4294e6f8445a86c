import {
  BedrockAgentCoreClient,
  type BedrockAgentCoreClientConfig,
  InvokeAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import type { AgentEvent } from '../../protocol/agent-events.ts';
import type { ServerConfig } from './config.ts';
import { parseSse } from './sse-parse.ts';

export interface InvokeRequest {
  prompt: string;
  runtimeSessionId: string;
  /** Aborts the AgentCore call (the browser went away). */
  signal: AbortSignal;
}

/** Runs the agent once and yields its Wire 1 events as they arrive. */
export type AgentInvoker = (request: InvokeRequest) => AsyncIterable<AgentEvent>;

/** Raised when the upstream stream is not valid Wire 1. */
export class MalformedUpstreamError extends Error {
  override name = 'MalformedUpstreamError';
}

const AGENT_EVENT_NAMES = new Set(['AGENT_START', 'LLM_TOKEN', 'TOOL_CALL', 'TOOL_RESULT', 'LLM_RESPONSE', 'AGENT_ERROR', 'AGENT_END']);

/** `overrides` is for what the environment does not say, such as explicit credentials in tests. */
export function createAgentCoreClient(
  config: Pick<ServerConfig, 'region' | 'agentcoreEndpoint'>,
  overrides: BedrockAgentCoreClientConfig = {},
): BedrockAgentCoreClient {
  return new BedrockAgentCoreClient({
    region: config.region,
    ...(config.agentcoreEndpoint ? { endpoint: config.agentcoreEndpoint } : {}),
    ...overrides,
    // A retried InvokeAgentRuntime would run the agent a second time: exactly one attempt.
    maxAttempts: 1,
  });
}

/**
 * Invokes the AgentCore runtime through the AWS SDK and parses its SSE response incrementally:
 * each Wire 1 event is yielded the moment the chunk completing it arrives.
 */
export function agentCoreInvoker(
  client: BedrockAgentCoreClient,
  config: Pick<ServerConfig, 'runtimeArn' | 'qualifier'>,
): AgentInvoker {
  return async function* invoke({ prompt, runtimeSessionId, signal }) {
    const response = await client.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: config.runtimeArn,
        qualifier: config.qualifier,
        runtimeSessionId,
        // Without both, bedrock-agentcore answers 415 / 406.
        contentType: 'application/json',
        accept: 'text/event-stream',
        payload: new TextEncoder().encode(JSON.stringify({ prompt })),
      }),
      { abortSignal: signal },
    );
    const body = response.response as AsyncIterable<Uint8Array> | undefined;
    if (!body) throw new MalformedUpstreamError('AgentCore answered without a body');
    for await (const { event, data } of parseSse(body)) {
      if (!AGENT_EVENT_NAMES.has(event)) {
        // The SDK's own error event (a handler that threw after the stream began).
        if (event === 'error') throw new MalformedUpstreamError('The agent runtime reported an error mid-stream');
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new MalformedUpstreamError(`Upstream ${event} event is not JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null) throw new MalformedUpstreamError(`Upstream ${event} event is not an object`);
      yield { event, data: parsed } as AgentEvent;
    }
  };
}
