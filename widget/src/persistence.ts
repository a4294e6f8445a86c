import { type Entry, restoreEntries } from './transcript.ts';

/** Where the conversation survives a reload: this tab (`session`), this browser (`local`), nowhere. */
export type PersistMode = 'session' | 'local' | 'none';

export interface Conversation {
  sessionId: string;
  entries: Entry[];
}

function storage(mode: PersistMode): Storage | undefined {
  try {
    return mode === 'local' ? localStorage : mode === 'session' ? sessionStorage : undefined;
  } catch {
    return undefined; // storage disabled (sandboxed iframe, blocked cookies)
  }
}

/** The stored conversation, or undefined if there is none (or it cannot be read). */
export function loadConversation(mode: PersistMode, key: string): Conversation | undefined {
  try {
    const raw = storage(mode)?.getItem(key);
    if (!raw) return undefined;
    const { sessionId, entries } = JSON.parse(raw) as Conversation;
    if (typeof sessionId !== 'string') return undefined;
    return { sessionId, entries: restoreEntries(entries) };
  } catch {
    return undefined; // written by another version, or edited by hand: start afresh
  }
}

export function saveConversation(mode: PersistMode, key: string, conversation: Conversation): void {
  try {
    storage(mode)?.setItem(key, JSON.stringify(conversation));
  } catch {
    // Quota exceeded: the conversation still works, it just will not survive a reload.
  }
}
