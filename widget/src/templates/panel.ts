import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { AgentChatStrings } from '../strings.ts';
import type { Entry } from '../transcript.ts';
import { type MessageContext, chipsTemplate, messageTemplate } from './message.ts';

const chatIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 5h16v11H9l-5 4z" /></svg>`;
const closeIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>`;

/** What the chat box shows, and the element's handlers for what the user does in it. */
export interface PanelContext {
  strings: AgentChatStrings;
  launcher: boolean;
  open: boolean;
  /** A run is streaming: the stop button takes the send button's place. */
  busy: boolean;
  entries: readonly Entry[];
  /** Starter messages, shown as suggestions while the conversation is empty. */
  suggestions: readonly string[];
  message: MessageContext;
  /** Following the stream; otherwise "Jump to latest" shows. */
  atBottom: boolean;
  /** What the polite live region says. */
  announcement: string;
  on: {
    panelKeydown(e: KeyboardEvent): void;
    newConversation(): void;
    close(): void;
    scroll(): void;
    jump(): void;
    submit(e: SubmitEvent): void;
    inputKeydown(e: KeyboardEvent): void;
    stop(): void;
    toggle(): void;
  };
}

/** The chat box (and, in launcher mode, the button that opens it). */
export function panelTemplate({
  strings: s,
  launcher,
  open,
  busy,
  entries,
  suggestions,
  message,
  atBottom,
  announcement,
  on,
}: PanelContext) {
  const last = entries.at(-1);
  const panel = html`<section
    part="base"
    id="panel"
    role=${launcher ? 'dialog' : 'region'}
    aria-label=${s.heading}
    ?hidden=${launcher && !open}
    @keydown=${on.panelKeydown}
  >
    <header part="header">
      <span part="heading" class="heading">${s.heading}</span>
      <button type="button" part="new-button" class="ghost" ?disabled=${!entries.length} @click=${on.newConversation}>
        ${s.newConversation}
      </button>
      ${
        launcher
          ? html`<button type="button" part="close-button" class="ghost icon" aria-label=${s.closeChat} @click=${on.close}>${closeIcon}</button>`
          : nothing
      }
    </header>
    <div class="body">
      <div part="transcript" class="log" role="log" aria-live="off" aria-label=${s.transcript} tabindex="0" @scroll=${on.scroll}>
        <div class="content">
          ${repeat(
            entries,
            (entry) => entry.id,
            (entry) => messageTemplate(entry, entry === last, message),
          )}
          ${chipsTemplate(last ? undefined : suggestions, s, message.onPick)}
        </div>
      </div>
      ${
        atBottom
          ? nothing
          : html`<button type="button" part="jump-button" class="jump" @click=${on.jump}>${s.jumpToLatest}</button>`
      }
    </div>
    <div class="sr" role="status">${announcement}</div>
    <form part="composer" @submit=${on.submit}>
      <textarea part="input" aria-label=${s.inputLabel} rows="1" placeholder=${s.placeholder} @keydown=${on.inputKeydown}></textarea>
      ${
        busy
          ? html`<button type="button" part="stop-button" @click=${on.stop}>${s.stop}</button>`
          : html`<button part="send-button">${s.send}</button>`
      }
    </form>
  </section>`;
  if (!launcher) return panel;
  return html`${panel}
    <button
      type="button"
      part="launcher"
      class="launcher"
      aria-label=${open ? s.closeChat : s.openChat}
      aria-expanded=${open}
      aria-controls="panel"
      @click=${on.toggle}
    >
      ${open ? closeIcon : chatIcon}
    </button>`;
}
