export { AgentChat } from './agent-chat.ts';
export { ChatStreamError } from './chat-stream.ts';
export type { ChatEvent, ChatEventData, ChatEventName } from '../../protocol/chat-events.ts';
