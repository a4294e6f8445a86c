export { AgentChat, type HeaderMap } from './agent-chat.ts';
export type { AgentChatEventMap } from './events.ts';
export { ChatStreamError } from './chat-stream.ts';
export { MarkdownSource } from './markdown/source.ts';
export { MarkdownView } from './markdown/view.ts';
export { type AgentChatStrings, DEFAULT_STRINGS } from './strings.ts';
export type { ChatEvent, ChatEventData, ChatEventName } from '../../protocol/chat-events.ts';
