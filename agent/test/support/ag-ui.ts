import { HttpAgent } from '@ag-ui/client';
import type { AGUIEvent, Message, RunAgentInput } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { RUNTIME_SESSION_HEADER } from '../../../protocol/agent-request.ts';
import { parseSse } from '../../../protocol/sse.ts';
import { type GraphOptions, buildGraph } from '../../src/graph.ts';
import { type RunningRuntime, createRuntime } from '../../src/runtime.ts';
import { tools } from '../../src/tools.ts';

/**
 * AG-UI helpers for the agent's tests. The client side is always the official one: events are
 * judged by `@ag-ui/client`'s HttpAgent (which enforces the event schemas and verifies their order)
 * and framed by `@ag-ui/encoder`, so nothing here decides on its own what AG-UI allows.
 */

/** The official client, pointed at the agent's /invocations as AgentCore forwards to it (the session header set). */
export function client(runtime: RunningRuntime, session: string, messages: Message[] = []): HttpAgent {
  const agent = new HttpAgent({ url: `${runtime.url}/invocations`, headers: { [RUNTIME_SESSION_HEADER]: session } });
  agent.messages = messages;
  return agent;
}

/** Adds a user message to the client's conversation. */
export function ask(agent: HttpAgent, text: string): void {
  agent.addMessage({ id: `user-${agent.messages.length}`, role: 'user', content: text });
}

/** The text of the client's last message, when it is the assistant's. */
export function lastText(agent: HttpAgent) {
  const last = agent.messages.at(-1);
  return last?.role === 'assistant' ? last.content : undefined;
}

/** The agent runtime on a free local port, on `model` with the real tools. */
export function startRuntime(model: BaseChatModel, options: Partial<GraphOptions> = {}): Promise<RunningRuntime> {
  return createRuntime({ graph: buildGraph({ model, tools, ...options }), logging: false }).listen(0, '127.0.0.1');
}

/** A RunAgentInput whose new turn is `text` from the user, after `before`. */
export function runInput(text: string, before: Message[] = [], threadId = 'thread-1'): RunAgentInput {
  return {
    threadId,
    runId: `run-${Math.random().toString(36).slice(2)}`,
    messages: [...before, { id: `user-${before.length}`, role: 'user', content: text }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
  };
}

/** POST /invocations as AgentCore forwards it: JSON, the session header, SSE accepted unless said otherwise. */
export function invoke(
  url: string,
  body: unknown,
  {
    sessionId = 'session-0123456789abcdef0123456789abcdef',
    accept = 'text/event-stream',
    signal,
  }: { sessionId?: string; accept?: string | null; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${url}/invocations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [RUNTIME_SESSION_HEADER]: sessionId,
      ...(accept === null ? {} : { accept }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** The raw SSE messages of a response, as they arrive. */
export function sseMessages(response: Response) {
  return parseSse(response.body! as unknown as AsyncIterable<Uint8Array>);
}

/** The AG-UI events of a response, as they arrive. */
export async function* agUiEvents(response: Response): AsyncGenerator<AGUIEvent> {
  for await (const message of sseMessages(response)) yield JSON.parse(message.data) as AGUIEvent;
}

export async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** An event without its timestamp, to compare. */
export function untimed(event: AGUIEvent): AGUIEvent {
  const { timestamp: _, ...rest } = event;
  return rest as AGUIEvent;
}

/**
 * Plays `events` to the official client as if a server had streamed them (SSE framed by
 * @ag-ui/encoder) and resolves with the conversation it built, or rejects when it refuses the
 * stream (a schema or ordering violation). RUN_ERROR events go to `errors`.
 */
export async function throughClient(
  events: AGUIEvent[],
  before: Message[] = [],
  errors: AGUIEvent[] = [],
): Promise<Message[]> {
  const encoder = new EventEncoder();
  const body = events.map((e) => encoder.encodeSSE(e)).join('');
  const agent = new HttpAgent({
    url: 'http://agent.invalid/invocations',
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  agent.messages = [...before, { id: 'question', role: 'user', content: 'question' }];
  await agent.runAgent({}, { onRunErrorEvent: ({ event }) => void errors.push(event) });
  return agent.messages.slice(before.length + 1);
}
