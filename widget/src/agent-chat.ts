import { LitElement, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { ChatEvent, ResumeAnswer } from '../../protocol/chat-events.ts';
import { AG_UI_RUNS, streamAgUi } from './ag-ui-stream.ts';
import { CHAT_RUNS, ChatStreamError, cancelRun, streamChat, widgetError } from './chat-stream.ts';
import { Conversation } from './conversation.ts';
import { emit } from './events.ts';
import { randomId } from './ids.ts';
import { MarkdownView } from './markdown/view.ts';
import { type PageToolHandler, describeTools, runPageTool } from './page-tools.ts';
import type { PersistMode } from './persistence.ts';
import { RunController } from './run-controller.ts';
import { ScrollFollow } from './scroll-follow.ts';
import { type AgentChatStrings, DEFAULT_STRINGS, describeError } from './strings.ts';
import { styles } from './styles/index.ts';
import { panelTemplate } from './templates/panel.ts';
import {
  type AssistantEntry,
  type Rating,
  type TextPart,
  type ToolCall,
  type TurnError,
  applyEvent,
  endTurn,
  isActive,
} from './transcript.ts';

const newTurn = (): AssistantEntry => ({
  role: 'assistant',
  id: randomId(),
  parts: [],
  status: 'thinking',
  run: { id: '', seq: 0 },
});

/** A site's own request headers (auth), as given by `headers` or `getHeaders()`. */
export type HeaderMap = Record<string, string>;

export type { PageToolHandler };

/** What one run sends: a new message, or the answer to a call the paused run waits on. */
type RunInput = { message: string } | { resume: ResumeAnswer };

/** An enumerated attribute that is on unless it says "false" (like `spellcheck`). */
const unlessFalse = { fromAttribute: (value: string | null) => value !== 'false' };

/**
 * A chat with a streaming AI agent: the user's messages, the agent thinking, each tool call with
 * its arguments and result, and the answer growing token by token as safely rendered markdown.
 *
 * @fires agent-chat-send - Before a message is sent (also on retry); cancelable. `detail`: `{message, retry}`.
 * @fires agent-chat-event - Each stream event as it arrives. `detail`: `{event, data}` (Wire 2).
 * @fires agent-chat-error - A run failed. `detail`: `{code, message, retryable}`, `message` as shown.
 * @fires agent-chat-done - A run ended. `detail`: `{status: 'complete' | 'error' | 'cancelled' | 'interrupted', text}`; `interrupted`: it waits for an approval or a page tool.
 * @fires agent-chat-feedback - The user rated an answer, and again if they add a comment. `detail`: `{runId, rating: 'up' | 'down', comment}`.
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
 * @csspart reconnecting - The "Reconnecting…" indicator, while a dropped stream is picked up again.
 * @csspart tool-card - A tool call: name, arguments, status, result.
 * @csspart approval-card - Asks the user to approve a call before it runs: why, the call, Approve / Deny and a note.
 * @csspart approval-note - The approval card's optional note.
 * @csspart approve-button - Approves the call.
 * @csspart deny-button - Denies the call.
 * @csspart feedback - The rating of a finished answer: thumbs up and down, then a comment.
 * @csspart rate-button - Thumbs up or down (`aria-pressed` once chosen).
 * @csspart feedback-input - The rating's optional comment.
 * @csspart feedback-send - Sends the comment.
 * @csspart suggestions - A row of suggested messages: starters on an empty chat, follow-ups under the last answer.
 * @csspart suggestion - One suggested message; clicking sends it.
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

  /** URL of the BFF's streaming endpoint, e.g. `https://bff.example.com/v1/chat/stream`; with `protocol="ag-ui"`, of an AG-UI endpoint. */
  @property({ attribute: 'endpoint' }) endpoint = '';

  /**
   * The wire `endpoint` speaks: `agent-chat` (the BFF's `POST /v1/chat/stream`) or `ag-ui` (any AG-UI
   * endpoint: the BFF's `POST /v1/agui`, or another vendor's agent).
   */
  @property({ attribute: 'protocol' }) protocol: 'agent-chat' | 'ag-ui' = 'agent-chat';

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
  @property({ attribute: 'show-tools', converter: unlessFalse }) showTools = true;

  /** Whether finished answers offer thumbs up / down and a comment. Shown unless `feedback="false"`. */
  @property({ attribute: 'feedback', converter: unlessFalse }) feedback = true;

  /** Starter messages shown as chips while the conversation is empty: a JSON array of strings as an attribute. */
  @property({ attribute: 'suggestions', type: Array }) suggestions: string[] = [];

  /**
   * Tools the agent may call that run in this page: `[{name, description, parameters, handler}]`
   * (`parameters` a JSON Schema of the arguments, `handler(args)` returns or resolves to the result).
   * Sent with every request of the conversation.
   */
  tools: PageToolHandler[] = [];

  /** How long a page tool's handler may take, in milliseconds, before its call fails as timed out. */
  @property({ attribute: 'tool-timeout', type: Number }) toolTimeout = 10_000;

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

  /** What the polite live region says: the last completed answer. */
  @state() private announcement = '';
  @query('textarea') private input!: HTMLTextAreaElement;
  @query('.log') private log!: HTMLElement;
  @query('.launcher') private launcherButton!: HTMLButtonElement | null;

  private readonly conversation = new Conversation(this);
  private readonly runs = new RunController(this);
  private readonly follow = new ScrollFollow(this, () => this.log);
  private views = new WeakMap<TextPart, MarkdownView>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.conversation.restore();
    // Rendered answers carry some strings (the copy button's): render them afresh.
    if (changed.has('strings') && this.hasUpdated) this.views = new WeakMap();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.get('open') === false && this.open) this.input.focus();
    // An answer that was streaming when the page (or this element) went away goes on at the BFF: read on.
    const last = this.conversation.entries.at(-1);
    if (last?.role === 'assistant' && isActive(last) && last.run?.id && !this.runs.running)
      void this.run(last, { message: '' });
  }

  override render() {
    const strings = this.words;
    return panelTemplate({
      strings,
      launcher: this.mode === 'launcher',
      open: this.open,
      busy: this.runs.running,
      entries: this.conversation.entries,
      // An attribute that is not a JSON array (Lit reads it as null), or a property set to anything.
      suggestions: Array.isArray(this.suggestions) ? this.suggestions : [],
      message: {
        strings,
        showTools: this.showTools,
        feedback: this.feedback,
        viewFor: this.viewFor,
        onRetry: this.onRetry,
        onAnswer: this.onAnswer,
        onRate: this.onRate,
        onComment: this.onComment,
        onPick: this.onPick,
      },
      atBottom: this.follow.atBottom,
      announcement: this.announcement,
      on: {
        panelKeydown: this.onPanelKeydown,
        newConversation: this.onNewConversation,
        close: this.closePanel,
        scroll: this.follow.onScroll,
        jump: this.follow.jump,
        submit: this.onSubmit,
        inputKeydown: this.onKeydown,
        stop: this.onStop,
        toggle: this.toggle,
      },
    });
  }

  /**
   * Sends a message as if the user typed it. Returns false, sending nothing, when the text is
   * empty, a run is in progress, or an `agent-chat-send` listener cancelled it.
   */
  send(text: string): boolean {
    const message = text.trim();
    this.conversation.restore();
    if (!message || this.runs.running || !emit(this, 'agent-chat-send', { message, retry: false }, true)) return false;
    // A paused answer ends here: the agent declines what it waited on (the new run's tool_end says so).
    const paused = this.conversation.entries.at(-1);
    if (paused?.role === 'assistant' && paused.status === 'interrupted') endTurn(paused, 'complete');
    const turn = newTurn();
    this.conversation.entries = [...this.conversation.entries, { role: 'user', id: randomId(), text: message }, turn];
    this.follow.follow();
    void this.run(turn, { message });
    return true;
  }

  /** Stops the answer being streamed (at the BFF too); what arrived stays, marked as stopped. */
  stop(): void {
    this.cancelAtBff();
    this.runs.abort();
  }

  /** Starts a new conversation: stops any run, empties the transcript, takes a new session id. */
  clear(): void {
    this.cancelAtBff();
    this.runs.forget();
    this.announcement = '';
    this.conversation.clear();
  }

  /** The strings in effect: the defaults, then `strings`, then the `heading` and `placeholder` attributes. */
  private get words(): AgentChatStrings {
    const own: Partial<AgentChatStrings> = {};
    if (this.heading) own.heading = this.heading;
    if (this.placeholder) own.placeholder = this.placeholder;
    return { ...DEFAULT_STRINGS, ...this.strings, ...own };
  }

  private readonly viewFor = (part: TextPart): MarkdownView => {
    let view = this.views.get(part);
    if (!view) {
      const { copy, copied, image, renderFailed } = this.words;
      this.views.set(part, (view = new MarkdownView(part.source, { copy, copied, image }, renderFailed)));
    }
    return view;
  };

  /** Asks the BFF to stop the answer streaming, if any (its own read is the caller's to stop). */
  private cancelAtBff(): void {
    const last = this.conversation.entries.at(-1);
    const id = last?.role === 'assistant' && isActive(last) ? last.run?.id : '';
    if (id)
      void this.requestHeaders().then(
        (headers) => cancelRun(this.endpoint, this.protocol === 'ag-ui' ? AG_UI_RUNS : CHAT_RUNS, id, headers),
        () => {},
      );
  }

  /** The site's headers for the next request: `headers`, then what `getHeaders()` gives now. */
  private async requestHeaders(): Promise<HeaderMap> {
    try {
      return { ...this.headers, ...(await this.getHeaders?.()) };
    } catch {
      throw widgetError('headers');
    }
  }

  /**
   * Streams the answer to a message (or the rest of a paused answer, after `resume`) into `turn`, or
   * (its run known, after a reload) reads on from where it was; a stale run (after `clear()`, or once
   * the element left the page) writes nothing.
   */
  private async run(turn: AssistantEntry, input: RunInput): Promise<void> {
    const run = this.runs.start();
    this.conversation.save();
    let failure: TurnError | undefined;
    try {
      if (!this.endpoint) throw widgetError('no_endpoint');
      const headers = await this.requestHeaders();
      if (!run.signal.aborted) {
        // How a message reaches the agent: Wire 2 or AG-UI, both over SSE (chat-stream.ts, ag-ui-stream.ts).
        await (this.protocol === 'ag-ui' ? streamAgUi : streamChat)({
          endpoint: this.endpoint,
          ...input,
          tools: this.tools.length ? describeTools(this.tools) : undefined,
          sessionId: this.sessionId,
          // The conversation before this answer; a resume's, with the paused answer (its calls).
          history: 'resume' in input ? this.conversation.entries : this.conversation.entries.slice(0, -1),
          headers,
          signal: run.signal,
          run: (turn.run ??= { id: '', seq: 0 }),
          onEvent: (event) => this.runs.isCurrent(run) && this.onStreamEvent(turn, event),
          onReconnecting: (on) => {
            turn.reconnecting = on;
            this.requestUpdate();
          },
        });
      }
    } catch (error) {
      const known = error instanceof ChatStreamError ? error : new ChatStreamError('unknown', '', true);
      failure = { code: known.code, message: known.message, retryable: known.retryable };
    }
    if (!this.runs.isCurrent(run)) return;
    this.runs.end(run);
    turn.reconnecting = false;
    // A run the BFF no longer has is shown stopped (with retry), not as an error.
    if (failure?.code === 'run_not_found') endTurn(turn, 'cancelled');
    else if (failure) endTurn(turn, 'error', failure);
    else if (run.signal.aborted) endTurn(turn, 'cancelled');
    this.finish(turn);
  }

  private onStreamEvent(turn: AssistantEntry, event: ChatEvent): void {
    if (applyEvent(turn, event, this.conversation.entries)) this.requestUpdate();
    // Its id is what a reload needs to read on: kept at once.
    if (event.event === 'start') this.conversation.save();
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
    this.conversation.save();
    const status =
      turn.status === 'complete' || turn.status === 'cancelled' || turn.status === 'interrupted'
        ? turn.status
        : 'error';
    if (status === 'interrupted') this.answerPause(turn);
    if (status === 'complete')
      this.announcement = `${s.assistant}: ${texts.map((p) => this.viewFor(p).plainText()).join(' ')}`;
    if (status === 'cancelled') this.announcement = s.stopped;
    if (status === 'error') {
      const error = turn.error ?? { code: 'unknown', message: '', retryable: true };
      emit(this, 'agent-chat-error', {
        code: error.code,
        message: describeError(s, error),
        retryable: error.retryable,
      });
    }
    emit(this, 'agent-chat-done', { status, text: texts.map((p) => p.source.text).join('\n\n') });
  }

  /**
   * The run paused. A page tool runs (the first waiting: one answer per request; a run still waiting
   * on others pauses again) and its outcome goes back, unless the user moved on meanwhile. An approval
   * is asked for: announced, and the focus (if it was in the chat) moves to its Approve button.
   */
  private answerPause(turn: AssistantEntry): void {
    const waiting = turn.parts.filter((p): p is ToolCall => p.kind === 'tool' && p.status === 'waiting');
    const page = waiting.find((call) => call.page);
    if (page) {
      page.status = 'running';
      void runPageTool(this.tools, page, this.toolTimeout || 10_000).then((resume) => {
        if (this.conversation.entries.at(-1) === turn && turn.status === 'interrupted' && !this.runs.running)
          this.resume(turn, resume);
      });
    }
    const approval = waiting.find((call) => call.reason !== undefined);
    if (approval) {
      this.announcement = `${this.words.approvalNeeded}: ${approval.reason}`;
      if (this.matches(':focus-within'))
        void this.updateComplete.then(() =>
          this.renderRoot.querySelector<HTMLElement>('[part=approve-button]')?.focus(),
        );
    }
  }

  /** Goes on with the paused `turn`: `answer` is what one of its waiting calls needed. */
  private resume(turn: AssistantEntry, answer: ResumeAnswer): void {
    turn.status = 'thinking';
    // A new run: its own id, read from its first event.
    turn.run = { id: '', seq: 0 };
    this.requestUpdate();
    void this.run(turn, { resume: answer });
  }

  private readonly onAnswer = (e: Event, turn: AssistantEntry, call: ToolCall, approved: boolean): void => {
    if (this.runs.running || turn.status !== 'interrupted' || call.status !== 'waiting') return;
    const note = (e.target as Element).parentElement!.querySelector('input')!.value.trim();
    const answer = { approved, ...(note ? { note } : {}) };
    Object.assign(call, answer, { status: 'running' });
    this.resume(turn, { id: call.id, ...answer });
    this.input.focus();
  };

  private readonly onRate = (turn: AssistantEntry, rating: Rating): void => {
    turn.feedback = { rating };
    this.sendFeedback(turn);
  };

  private readonly onComment = (e: SubmitEvent, turn: AssistantEntry): void => {
    e.preventDefault();
    turn.feedback!.comment = (e.target as HTMLFormElement).querySelector('input')!.value.trim();
    this.sendFeedback(turn);
  };

  /** Tells the page (`agent-chat-feedback`) and the BFF (`POST …/feedback`, beside the chat endpoint) what the user thinks of `turn`. */
  private sendFeedback(turn: AssistantEntry): void {
    this.requestUpdate();
    this.conversation.save();
    const { rating, comment = '' } = turn.feedback!;
    const runId = turn.run?.id ?? '';
    emit(this, 'agent-chat-feedback', { runId, rating, comment });
    if (runId && this.endpoint)
      void this.requestHeaders()
        .then((headers) =>
          // Beside the endpoint: `…/v1/chat/feedback` from `…/v1/chat/stream`, and from `…/v1/agui`.
          fetch(
            new URL(this.protocol === 'ag-ui' ? 'chat/feedback' : 'feedback', new URL(this.endpoint, location.href)),
            {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ run_id: runId, rating, ...(comment ? { comment } : {}) }),
            },
          ),
        )
        .catch(() => {});
  }

  private readonly onPick = (text: string): void => {
    this.send(String(text));
  };

  private readonly onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    // The typed text stays in the input unless it was really sent.
    if (this.send(this.input.value)) this.input.value = '';
    this.input.focus();
  };

  private readonly onKeydown = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.input.form!.requestSubmit();
    }
  };

  private readonly onStop = (): void => {
    this.stop();
    this.input.focus();
  };

  private readonly onRetry = (): void => {
    const { entries } = this.conversation;
    const user = entries.at(-2);
    if (
      user?.role !== 'user' ||
      this.runs.running ||
      !emit(this, 'agent-chat-send', { message: user.text, retry: true }, true)
    )
      return;
    const turn = newTurn();
    this.conversation.entries = [...entries.slice(0, -1), turn];
    this.follow.follow();
    void this.run(turn, { message: user.text });
  };

  private readonly onNewConversation = (): void => {
    this.clear();
    this.input.focus();
  };

  private readonly toggle = (): void => {
    this.open = !this.open;
  };

  private readonly closePanel = async (): Promise<void> => {
    this.open = false;
    await this.updateComplete;
    this.launcherButton?.focus();
  };

  private readonly onPanelKeydown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.mode === 'launcher') void this.closePanel();
  };
}

// A page may load the script twice (say, once directly and once through a tag manager).
if (!customElements.get('agent-chat')) customElements.define('agent-chat', AgentChat);

declare global {
  interface HTMLElementTagNameMap {
    'agent-chat': AgentChat;
  }
}
