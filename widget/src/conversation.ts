import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { randomId } from './ids.ts';
import { type PersistMode, loadConversation, saveConversation } from './persistence.ts';
import type { Entry } from './transcript.ts';

export interface ConversationHost extends ReactiveControllerHost {
  persist: PersistMode;
  /** The conversation id sent as `session_id` (the element's `session-id`). */
  sessionId: string;
  /** Where it is stored: per element, by its id, else its endpoint. */
  readonly id: string;
  readonly endpoint: string;
}

/**
 * The conversation: its messages and session id, picked up from storage before first use, and
 * stored again after each change and when the page goes away.
 */
export class Conversation implements ReactiveController {
  private readonly host: ConversationHost;
  private list: Entry[] = [];
  private restored = false;
  private readonly onPageHide = () => this.save();

  constructor(host: ConversationHost) {
    this.host = host;
    host.addController(this);
  }

  get entries(): readonly Entry[] {
    return this.list;
  }

  /** Replaces the messages (the element re-renders). */
  set entries(entries: Entry[]) {
    this.list = entries;
    this.host.requestUpdate();
  }

  hostConnected(): void {
    addEventListener('pagehide', this.onPageHide);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.onPageHide);
  }

  /** Picks up the stored conversation, once: before the first render or the first send. */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    const { persist } = this.host;
    const saved = persist === 'none' ? undefined : loadConversation(persist, this.key);
    if (saved) this.list = saved.entries;
    this.host.sessionId ||= saved?.sessionId ?? randomId();
  }

  save(): void {
    const { persist, sessionId } = this.host;
    if (persist !== 'none') saveConversation(persist, this.key, { sessionId, entries: this.list });
  }

  private get key(): string {
    return `agent-chat:${this.host.id || this.host.endpoint}`;
  }

  /** A new conversation: no messages, a new session id. */
  clear(): void {
    this.restore();
    this.entries = [];
    this.host.sessionId = randomId();
    this.save();
  }
}
