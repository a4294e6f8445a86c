import type { ChatEvent } from '../../protocol/chat-events.ts';

/** The events the element fires, each bubbling and composed (`agent-chat-send` is cancelable). */
export interface AgentChatEventMap {
  'agent-chat-send': CustomEvent<{ message: string; retry: boolean }>;
  'agent-chat-event': CustomEvent<ChatEvent>;
  'agent-chat-error': CustomEvent<{ code: string; message: string; retryable: boolean }>;
  /** `interrupted`: the run paused on calls that wait for the user's approval or the page. */
  'agent-chat-done': CustomEvent<{ status: 'complete' | 'error' | 'cancelled' | 'interrupted'; text: string }>;
  /** The user rated an answer (`runId` is the run that wrote it); again with the comment, if they add one. */
  'agent-chat-feedback': CustomEvent<{ runId: string; rating: 'up' | 'down'; comment: string }>;
}

/** Dispatches an `agent-chat-*` event, bubbling and composed; false if a listener cancelled it. */
export const emit = <K extends keyof AgentChatEventMap>(
  target: EventTarget,
  type: K,
  detail: AgentChatEventMap[K]['detail'],
  cancelable = false,
) => target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));

declare global {
  // So `addEventListener('agent-chat-done', (e) => e.detail.status)` needs no cast.
  interface HTMLElementEventMap extends AgentChatEventMap {}
}
