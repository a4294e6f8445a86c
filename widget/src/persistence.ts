import { type Entry, restoreEntries } from './transcript.ts';

/** Where the conversation survives a reload: this tab (`session`), this browser (`local`), nowhere. */
export type PersistMode = 'session' | 'local' | 'none';

export interface Conversation {
  sessionId: string;
  entries: Entry[];
}

/**
 * The most a stored conversation takes, in characters of JSON: one million, about 2 MB of the
 * 10 MB a browser gives each site's storage (which the site shares with its own data and other
 * widgets). Beyond it, or when the browser refuses to store more, the oldest turns are left out.
 */
export const MAX_STORED_CHARS = 1_000_000;

function storage(mode: PersistMode): Storage | undefined {
  try {
    return mode === 'local' ? localStorage : mode === 'session' ? sessionStorage : undefined;
  } catch {
    return undefined; // storage disabled (sandboxed iframe, blocked cookies)
  }
}

/** The stored conversation, or undefined if there is none. One that cannot be read is dropped, with a warning. */
export function loadConversation(mode: PersistMode, key: string): Conversation | undefined {
  const store = storage(mode);
  let raw: string | null | undefined;
  try {
    raw = store?.getItem(key);
    if (!raw) return undefined;
    const { sessionId, entries } = JSON.parse(raw) as Conversation;
    if (typeof sessionId !== 'string') throw new TypeError('no session id');
    return { sessionId, entries: restoreEntries(entries) };
  } catch (error) {
    // Written by another version, or edited by hand: start afresh rather than fail on every load.
    console.warn(`agent-chat: the stored conversation "${key}" could not be read and was dropped`, error);
    try {
      store?.removeItem(key);
    } catch {
      // nothing more to do
    }
    return undefined;
  }
}

const isQuotaError = (error: unknown) =>
  error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);

/**
 * Stores the conversation, newest turns first: when the whole is over MAX_STORED_CHARS, or the
 * browser's quota refuses it, the oldest turns (a user message and its answer) are left out until
 * it fits. The newest turn is always kept; if even that alone does not fit, only the session id is.
 */
export function saveConversation(mode: PersistMode, key: string, { sessionId, entries }: Conversation): void {
  const store = storage(mode);
  if (!store) return;
  // Each entry serialised once; where each turn starts, oldest first; the size from each entry on.
  let json: string[];
  try {
    json = entries.map((entry) => JSON.stringify(entry));
  } catch {
    // An entry JSON cannot write (arguments nested deeper than the engine's stack): what is stored stays.
    return;
  }
  const starts = entries.flatMap((entry, i) => (i === 0 || entry.role === 'user' ? [i] : []));
  const head = `{"sessionId":${JSON.stringify(sessionId)},"entries":[`;
  const sizes: number[] = [];
  sizes[json.length] = head.length + 2;
  for (let i = json.length - 1; i >= 0; i--) sizes[i] = sizes[i + 1]! + json[i]!.length + 1;
  const sizeOf = (turn: number) => sizes[starts[turn] ?? 0]!;
  // The oldest turn to keep: as many of the newest as fit under the bound, at least one.
  let turn = Math.max(0, starts.length - 1);
  while (turn > 0 && sizeOf(turn - 1) <= MAX_STORED_CHARS) turn--;
  for (let limit = sizeOf(turn); ; ) {
    try {
      store.setItem(key, `${head}${json.slice(starts[turn] ?? 0).join(',')}]}`);
      return;
    } catch (error) {
      if (!isQuotaError(error)) return;
      if (turn >= starts.length - 1) break;
      // Over the browser's quota: leave out old turns until it is at most three quarters of what failed.
      limit = (limit * 3) / 4;
      while (turn < starts.length - 1 && sizeOf(turn) > limit) turn++;
    }
  }
  try {
    store.setItem(key, `${head}]}`);
  } catch {
    // The storage is full of other things: the conversation will not survive a reload.
  }
  console.warn(
    `agent-chat: the conversation "${key}" is too large for this browser's storage; only its session id is kept`,
  );
}
