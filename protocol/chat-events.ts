/**
 * Wire 2: the events the BFF streams to the browser, as SSE `id: <run>:<seq>`, `event: <name>`,
 * `data: <json>`. See DESIGN.md, "Wire 2".
 */
export interface ChatEventData {
  start: { session_id: string };
  agent_start: { session_id: string; status: 'started' };
  token: { delta: string };
  tool_start: { id: string; tool: string; args: Record<string, unknown> };
  tool_end: { id: string; tool: string; result: string } | { id: string; tool: string; error: string };
  message: { content: string; partial: true };
  error: { code: string; message: string; retryable: boolean };
  done: { status: 'complete' | 'error' | 'cancelled' };
}

export type ChatEventName = keyof ChatEventData;

export type ChatEvent = { [K in ChatEventName]: { event: K; data: ChatEventData[K] } }[ChatEventName];

/** Body of `POST /v1/chat/stream`. */
export interface ChatRequest {
  message: string;
  session_id?: string;
}

/** Body of every 4xx/5xx answered before a stream opens. */
export interface ErrorBody {
  error: { code: string; message: string };
}
