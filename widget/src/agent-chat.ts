import { LitElement, type PropertyValues, html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { ChatStreamError, streamChat } from './chat-stream.ts';
import { randomId } from './ids.ts';
import { MarkdownView } from './markdown/view.ts';
import { type PersistMode, loadConversation, saveConversation } from './persistence.ts';
import { RunController } from './run-controller.ts';
import { type AgentChatStrings, DEFAULT_STRINGS, describeError } from './strings.ts';
import { styles } from './styles.ts';
import { type AssistantEntry, type Entry, type TextPart, type ToolCall, type TurnError, applyEvent, endTurn, entryText } from './transcript.ts';

const newId = randomId;
const newTurn = (): AssistantEntry => ({ role: 'assistant', id: newId(), parts: [], status: 'thinking' });

const chatIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 5h16v11H9l-5 4z" /></svg>`;
const closeIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>`;

/** Dispatches an `agent-chat-*` event, bubbling and composed; false if a listener cancelled it. */
const emit = (target: EventTarget, type: string, detail: unknown, cancelable = false) =>
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));

/** A site's own request headers (auth), as given by `headers` or `getHeaders()`. */
export type HeaderMap = Record<string, string>;

/**
 * A chat with a streaming AI agent: the user's messages, the agent thinking, each tool call with
 * its arguments and result, and the answer growing token by token as safely rendered markdown.
 *
 * @fires agent-chat-send - Before a message is sent (also on retry); cancelable. `detail`: `{message, retry}`.
 * @fires agent-chat-event - Each stream event as it arrives. `detail`: `{event, data}` (Wire 2).
 * @fires agent-chat-error - A run failed. `detail`: `{code, message, retryable}`, `message` as shown.
 * @fires agent-chat-done - A run ended. `detail`: `{status: 'complete' | 'error' | 'cancelled', text}`.
 *
 * @csspart base - The chat box (the floating panel in launcher mode).
 * @csspart header - The bar with the heading and the actions.
 * @csspart heading - The title.
 * @csspart new-button - Starts a new conversation.
 * @csspart close-button - Closes the panel (launcher mode).
 * @csspart transcript - The scrolling log of messages.
 * @csspart message - Every message; also `message-user` or `message-assistant`.
 * @csspart message-user - A message the user sent.
 * @csspart message-assistant - An answer from the agent.
 * @csspart thinking - The "Thinking…" indicator.
 * @csspart tool-card - A tool call: name, arguments, status, result.
 * @csspart render-notice - Says a message is shown as plain text because it could not be formatted.
 * @csspart code-block - A fenced code block in an answer.
 * @csspart copy-button - A code block's copy button.
 * @csspart error - Why a run failed.
 * @csspart retry-button - Sends the failed or stopped message again.
 * @csspart jump-button - "Jump to latest", shown while the reader is scrolled up.
 * @csspart composer - The form with the input and the send or stop button.
 * @csspart input - The message input.
 * @csspart send-button - Sends the message.
 * @csspart stop-button - Stops the answer being streamed.
 * @csspart launcher - The floating button that opens the panel (launcher mode).
 *
 * @cssprop [--agent-chat-font-family=system-ui, sans-serif] - Text font.
 * @cssprop [--agent-chat-font-size=16px] - Base text size (the input never goes below 16px); rem works too, but follows the page's root size.
 * @cssprop [--agent-chat-code-font-family=ui-monospace, monospace] - Code font.
 * @cssprop [--agent-chat-background=#fff (dark: #0d1117)] - Background of the chat.
 * @cssprop [--agent-chat-surface=#f6f8fa (dark: #151b23)] - Background of the agent's messages.
 * @cssprop [--agent-chat-text-color=#1f2328 (dark: #f0f6fc)] - Text.
 * @cssprop [--agent-chat-muted-color=#59636e (dark: #9198a1)] - Secondary text.
 * @cssprop [--agent-chat-border-color=#d1d9e0 (dark: #3d444d)] - Dividers and card borders.
 * @cssprop [--agent-chat-field-border-color=#818b98 (dark: #6e7681)] - The input's border.
 * @cssprop [--agent-chat-accent-color=#0969da (dark: #1f6feb)] - Buttons and the user's messages.
 * @cssprop [--agent-chat-accent-text-color=#fff] - Text on the accent colour.
 * @cssprop [--agent-chat-link-color=#0969da (dark: #4493f8)] - Links.
 * @cssprop [--agent-chat-error-color=#d1242f (dark: #f85149)] - Errors.
 * @cssprop [--agent-chat-focus-color=#0969da (dark: #4493f8)] - Focus ring.
 * @cssprop [--agent-chat-radius=12px] - Corner radius of the box and the messages.
 * @cssprop [--agent-chat-height=512px] - Height of the inline chat.
 * @cssprop [--agent-chat-panel-width=384px] - Width of the launcher's panel.
 * @cssprop [--agent-chat-panel-height=640px] - Height of the launcher's panel.
 * @cssprop [--agent-chat-z-index=2147483000] - Stacking of the launcher and its panel.
 */
export class AgentChat extends LitElement {
  static override styles = styles;

  /** URL of the BFF's streaming endpoint, e.g. `https://bff.example.com/v1/chat/stream`. */
  @property({ attribute: 'endpoint' }) endpoint = '';

  /** `inline` (in the page's flow) or `launcher` (a floating button that opens a panel). */
  @property({ attribute: 'mode', reflect: true }) mode: 'inline' | 'launcher' = 'inline';

  /** In launcher mode, whether the panel is open. */
  @property({ attribute: 'open', type: Boolean, reflect: true }) open = false;

  /** `light`, `dark`, or `auto` to follow the system's `prefers-color-scheme`. */
  @property({ attribute: 'theme', reflect: true }) theme: 'light' | 'dark' | 'auto' = 'light';

  /**
   * Whether tool calls show as cards. Shown unless `show-tools="false"` — an enumerated
   * attribute like `spellcheck`, because seeing the agent at work is the point of this chat.
   */
  @property({ attribute: 'show-tools', converter: { fromAttribute: (value) => value !== 'false' } }) showTools = true;

  /** Where the transcript and session id survive a reload: `session` (this tab), `local` (this browser) or `none`. */
  @property({ attribute: 'persist' }) persist: PersistMode = 'session';

  /** The conversation id sent as `session_id`; a random one (kept with the transcript) unless set. */
  @property({ attribute: 'session-id' }) sessionId = '';

  /** The header's title; overrides `strings.heading`. */
  @property({ attribute: 'heading' }) heading = '';

  /** The input's placeholder; overrides `strings.placeholder`. */
  @property({ attribute: 'placeholder' }) placeholder = '';

  /** Any of the widget's words, to override (see `DEFAULT_STRINGS`). */
  @property({ attribute: false }) strings: Partial<AgentChatStrings> = {};

  /** Headers sent with every request, e.g. `{authorization: 'Bearer …'}` for the site's own auth. */
  headers: HeaderMap = {};

  /** Called before every request for headers that change (a fresh token); merged over `headers`. */
  getHeaders: (() => HeaderMap | Promise<HeaderMap>) | undefined;

  @state() private entries: Entry[] = [];
  /** Whether the reader is at the bottom of the transcript, so it follows the stream. */
  @state() private atBottom = true;
  /** What the polite live region says: the last completed answer. */
  @state() private announcement = '';
  @query('textarea') private input!: HTMLTextAreaElement;
  @query('.log') private log!: HTMLElement;
  @query('.launcher') private launcherButton!: HTMLButtonElement | null;

  private readonly runs = new RunController(this);
  private views = new WeakMap<TextPart, MarkdownView>();
  /** Keeps the newest text in view as the transcript grows, unless the reader scrolled up. */
  private readonly follow = new ResizeObserver(() => {
    if (this.atBottom) this.scrollToBottom();
  });
  private restored = false;
  private lastScrollTop = 0;
  private readonly onPageHide = () => this.save();

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('pagehide', this.onPageHide);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.restore();
    // Rendered answers carry some strings (the copy button's): render them afresh.
    if (changed.has('strings') && this.hasUpdated) this.views = new WeakMap();
  }

  protected override firstUpdated(): void {
    this.follow.observe(this.log);
    this.follow.observe(this.log.firstElementChild!);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.get('open') === false && this.open) this.input.focus();
  }

  override render() {
    const s = this.words;
    const launcher = this.mode === 'launcher';
    const busy = this.runs.running;
    const last = this.entries.at(-1);
    const panel = html`<section
      part="base"
      id="panel"
      role=${launcher ? 'dialog' : 'region'}
      aria-label=${s.heading}
      ?hidden=${launcher && !this.open}
      @keydown=${this.onPanelKeydown}
    >
      <header part="header">
        <span part="heading" class="heading">${s.heading}</span>
        <button type="button" part="new-button" class="ghost" ?disabled=${!this.entries.length} @click=${this.onNewConversation}>
          ${s.newConversation}
        </button>
        ${launcher
          ? html`<button type="button" part="close-button" class="ghost icon" aria-label=${s.closeChat} @click=${this.closePanel}>${closeIcon}</button>`
          : nothing}
      </header>
      <div class="body">
        <div part="transcript" class="log" role="log" aria-live="off" aria-label=${s.transcript} tabindex="0" @scroll=${this.onScroll}>
          <div class="content">
            ${repeat(
              this.entries,
              (entry) => entry.id,
              (entry) => this.renderEntry(entry, entry === last, s),
            )}
          </div>
        </div>
        ${this.atBottom
          ? nothing
          : html`<button type="button" part="jump-button" class="jump" @click=${this.jumpToLatest}>${s.jumpToLatest}</button>`}
      </div>
      <div class="sr" role="status">${this.announcement}</div>
      <form part="composer" @submit=${this.onSubmit}>
        <textarea part="input" aria-label=${s.inputLabel} rows="1" placeholder=${s.placeholder} @keydown=${this.onKeydown}></textarea>
        ${busy
          ? html`<button type="button" part="stop-button" @click=${this.onStop}>${s.stop}</button>`
          : html`<button part="send-button">${s.send}</button>`}
      </form>
    </section>`;
    if (!launcher) return panel;
    return html`${panel}
      <button
        type="button"
        part="launcher"
        class="launcher"
        aria-label=${this.open ? s.closeChat : s.openChat}
        aria-expanded=${this.open}
        aria-controls="panel"
        @click=${this.toggle}
      >
        ${this.open ? closeIcon : chatIcon}
      </button>`;
  }

  /** One message; if drawing it throws, its text as plain text with a notice, and the rest goes on. */
  private renderEntry(entry: Entry, isLast: boolean, s: AgentChatStrings) {
    try {
      return entry.role === 'user'
        ? html`<div part="message message-user" class="message user"><span class="sr">${s.you}: </span>${entry.text}</div>`
        : this.renderTurn(entry, isLast, s);
    } catch (error) {
      console.warn('agent-chat: a message could not be shown and is shown as plain text', error);
      return html`<div part="message message-${entry.role}" class="message ${entry.role}">
        <div part="render-notice" class="notice">${s.renderFailed}</div>
        <div class="plain">${entryText(entry)}</div>
      </div>`;
    }
  }

  private renderTurn(turn: AssistantEntry, isLast: boolean, s: AgentChatStrings) {
    const lastPart = turn.parts.at(-1);
    // Thinking: nothing yet, or a tool answered and the agent works on with its result.
    const thinking = turn.status === 'thinking' || (turn.status === 'streaming' && lastPart?.kind === 'tool');
    const ended = turn.status === 'error' || turn.status === 'cancelled';
    return html`<div part="message message-assistant" class="message assistant" data-status=${turn.status}>
      <span class="sr">${s.assistant}:</span>
      ${turn.parts.map((part) =>
        part.kind === 'text' ? html`<div class="text">${this.viewFor(part).element}</div>` : this.showTools ? this.renderTool(part, s) : nothing,
      )}
      ${thinking ? html`<div part="thinking" class="thinking">${s.thinking}</div>` : nothing}
      ${turn.status === 'cancelled' ? html`<div class="stopped">${s.stopped}</div>` : nothing}
      ${turn.status === 'error'
        ? html`<div part="error" class="error" role="alert">${describeError(s, turn.error ?? { code: 'unknown', message: '' })}</div>`
        : nothing}
      ${ended && isLast ? html`<button type="button" part="retry-button" class="ghost" @click=${this.onRetry}>${s.retry}</button>` : nothing}
    </div>`;
  }

  private renderTool(call: ToolCall, s: AgentChatStrings) {
    const status = { running: s.toolRunning, done: s.toolDone, failed: s.toolFailed, cancelled: s.toolCancelled }[call.status];
    return html`<details part="tool-card" class="tool" data-status=${call.status}>
      <summary><span class="name">${call.tool}</span><code>${JSON.stringify(call.args)}</code><span class="status">${status}</span></summary>
      <div class="label">${s.toolArguments}</div>
      <pre><code>${JSON.stringify(call.args, null, 2)}</code></pre>
      ${call.status === 'done' ? html`<div class="label">${s.toolResult}</div><pre><code>${call.result}</code></pre>` : nothing}
      ${call.status === 'failed' ? html`<div class="label">${s.toolError}</div><pre class="error"><code>${call.error}</code></pre>` : nothing}
    </details>`;
  }

  /**
   * Sends a message as if the user typed it. Returns false, sending nothing, when the text is
   * empty, a run is in progress, or an `agent-chat-send` listener cancelled it.
   */
  send(text: string): boolean {
    const message = text.trim();
    this.restore();
    if (!message || this.runs.running || !emit(this, 'agent-chat-send', { message, retry: false }, true)) return false;
    const turn = newTurn();
    this.entries = [...this.entries, { role: 'user', id: newId(), text: message }, turn];
    this.atBottom = true;
    void this.run(turn, message);
    return true;
  }

  /** Stops the answer being streamed; what arrived stays, marked as stopped. */
  stop(): void {
    this.runs.abort();
  }

  /** Starts a new conversation: stops any run, empties the transcript, takes a new session id. */
  clear(): void {
    this.restore();
    this.runs.forget();
    this.entries = [];
    this.announcement = '';
    this.sessionId = newId();
    this.save();
  }

  /** The strings in effect: the defaults, then `strings`, then the `heading` and `placeholder` attributes. */
  private get words(): AgentChatStrings {
    const own: Partial<AgentChatStrings> = {};
    if (this.heading) own.heading = this.heading;
    if (this.placeholder) own.placeholder = this.placeholder;
    return { ...DEFAULT_STRINGS, ...this.strings, ...own };
  }

  private viewFor(part: TextPart): MarkdownView {
    let view = this.views.get(part);
    if (!view) {
      const { copy, copied, image, renderFailed } = this.words;
      this.views.set(part, (view = new MarkdownView(part.source, { copy, copied, image }, renderFailed)));
    }
    return view;
  }

  private get storageKey(): string {
    return `agent-chat:${this.id || this.endpoint}`;
  }

  /** Picks up the stored conversation, once: before the first render or the first send. */
  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    const saved = this.persist === 'none' ? undefined : loadConversation(this.persist, this.storageKey);
    if (saved) this.entries = saved.entries;
    this.sessionId ||= saved?.sessionId ?? newId();
  }

  private save(): void {
    if (this.persist !== 'none') saveConversation(this.persist, this.storageKey, { sessionId: this.sessionId, entries: this.entries });
  }

  /** Streams the answer to `message` into `turn`; a stale run (after `clear()`) writes nothing. */
  private async run(turn: AssistantEntry, message: string): Promise<void> {
    const run = this.runs.start();
    this.save();
    let failure: TurnError | undefined;
    try {
      if (!this.endpoint) throw new ChatStreamError('no_endpoint', '', false);
      let headers: HeaderMap;
      try {
        headers = { ...this.headers, ...(await this.getHeaders?.()) };
      } catch {
        throw new ChatStreamError('headers', '', true);
      }
      if (!run.signal.aborted) {
        await streamChat({
          endpoint: this.endpoint,
          message,
          sessionId: this.sessionId,
          headers,
          signal: run.signal,
          onEvent: (event) => this.runs.isCurrent(run) && this.onStreamEvent(turn, event),
        });
      }
    } catch (error) {
      const known = error instanceof ChatStreamError ? error : new ChatStreamError('unknown', '', true);
      failure = { code: known.code, message: known.message, retryable: known.retryable };
    }
    if (!this.runs.isCurrent(run)) return;
    this.runs.end(run);
    if (failure) endTurn(turn, 'error', failure);
    else if (run.signal.aborted) endTurn(turn, 'cancelled');
    this.finish(turn);
  }

  private onStreamEvent(turn: AssistantEntry, event: ChatEvent): void {
    if (applyEvent(turn, event)) this.requestUpdate();
    const part = turn.parts.at(-1);
    if (part?.kind === 'text') this.views.get(part)?.schedule();
    emit(this, 'agent-chat-event', event);
  }

  /** The run is over: show its final state, announce it, keep it, tell the page. */
  private finish(turn: AssistantEntry): void {
    const s = this.words;
    const texts = turn.parts.filter((p): p is TextPart => p.kind === 'text');
    for (const part of texts) this.viewFor(part).flush();
    this.requestUpdate();
    this.save();
    const status = turn.status === 'complete' || turn.status === 'cancelled' ? turn.status : 'error';
    if (status === 'complete') this.announcement = `${s.assistant}: ${texts.map((p) => this.viewFor(p).plainText()).join(' ')}`;
    if (status === 'cancelled') this.announcement = s.stopped;
    if (status === 'error') {
      const error = turn.error ?? { code: 'unknown', message: '', retryable: true };
      emit(this, 'agent-chat-error', { code: error.code, message: describeError(s, error), retryable: error.retryable });
    }
    emit(this, 'agent-chat-done', { status, text: texts.map((p) => p.source.text).join('\n\n') });
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    // The typed text stays in the input unless it was really sent.
    if (this.send(this.input.value)) this.input.value = '';
    this.input.focus();
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.input.form!.requestSubmit();
    }
  }

  private onStop(): void {
    this.stop();
    this.input.focus();
  }

  private onRetry(): void {
    const user = this.entries.at(-2);
    if (user?.role !== 'user' || this.runs.running || !emit(this, 'agent-chat-send', { message: user.text, retry: true }, true)) return;
    const turn = newTurn();
    this.entries = [...this.entries.slice(0, -1), turn];
    this.atBottom = true;
    void this.run(turn, user.text);
  }

  private onNewConversation(): void {
    this.clear();
    this.input.focus();
  }

  private scrollToBottom(): void {
    this.log.scrollTop = this.log.scrollHeight;
    this.lastScrollTop = this.log.scrollTop;
  }

  private onScroll(): void {
    const { scrollHeight, scrollTop, clientHeight } = this.log;
    // Our own scroll to the bottom: by the time its event comes, more text may have arrived below.
    if (scrollTop === this.lastScrollTop) return;
    // The reader scrolled: any move up lets go of the stream, back down near the bottom follows it.
    const distance = scrollHeight - scrollTop - clientHeight;
    this.atBottom = distance < 2 || (scrollTop > this.lastScrollTop && distance < 40);
    this.lastScrollTop = scrollTop;
  }

  private jumpToLatest(): void {
    this.atBottom = true;
    this.scrollToBottom();
    // The button goes away: keyboard focus moves to the transcript it scrolled.
    this.log.focus();
  }

  private toggle(): void {
    this.open = !this.open;
  }

  private async closePanel(): Promise<void> {
    this.open = false;
    await this.updateComplete;
    this.launcherButton?.focus();
  }

  private onPanelKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.mode === 'launcher') void this.closePanel();
  }
}

// A page may load the script twice (say, once directly and once through a tag manager).
if (!customElements.get('agent-chat')) customElements.define('agent-chat', AgentChat);

declare global {
  interface HTMLElementTagNameMap {
    'agent-chat': AgentChat;
  }
}
