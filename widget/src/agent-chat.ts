import { LitElement, css, html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatEvent } from '../../protocol/chat-events.ts';
import { ChatStreamError, streamChat } from './chat-stream.ts';
import { type AssistantEntry, type Entry, type ToolCall, applyEvent } from './transcript.ts';

function newId(): string {
  return crypto.randomUUID();
}

/**
 * A chat with a streaming AI agent: the user's messages, the agent thinking, each tool call with
 * its arguments and result, and the answer growing token by token.
 *
 * @fires agent-chat-event - Each stream event as it arrives; `detail` is `{event, data}`.
 * @csspart base - The chat's outer box.
 * @csspart transcript - The scrolling list of messages.
 * @csspart composer - The form holding the input and the send button.
 */
export class AgentChat extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: var(--agent-chat-font-family, system-ui, sans-serif);
      color: var(--agent-chat-text-color, #1f2328);
      height: var(--agent-chat-height, 32rem);
    }
    [part='base'] {
      box-sizing: border-box;
      height: 100%;
      display: flex;
      flex-direction: column;
      border: 1px solid var(--agent-chat-border-color, #d0d7de);
      border-radius: var(--agent-chat-radius, 12px);
      background: var(--agent-chat-background, #fff);
      overflow: hidden;
    }
    [part='transcript'] {
      flex: 1;
      overflow-y: auto;
      padding: 1rem;
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
    }
    .message {
      max-width: 85%;
      padding: 0.5rem 0.75rem;
      border-radius: 10px;
      line-height: 1.45;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .user {
      align-self: flex-end;
      background: var(--agent-chat-accent-color, #0969da);
      color: var(--agent-chat-accent-text-color, #fff);
    }
    .assistant {
      align-self: flex-start;
      background: var(--agent-chat-assistant-background, #f6f8fa);
    }
    .tool {
      font-size: 0.875em;
      border-left: 3px solid var(--agent-chat-border-color, #d0d7de);
      padding-left: 0.5rem;
      margin: 0.25rem 0;
    }
    .tool code {
      font-family: ui-monospace, monospace;
    }
    .thinking {
      font-style: italic;
      color: var(--agent-chat-muted-color, #57606a);
    }
    .error {
      color: var(--agent-chat-error-color, #cf222e);
    }
    form {
      display: flex;
      gap: 0.5rem;
      padding: 0.75rem;
      border-top: 1px solid var(--agent-chat-border-color, #d0d7de);
    }
    textarea {
      flex: 1;
      resize: none;
      font: inherit;
      font-size: max(16px, 1em);
      padding: 0.5rem;
      border: 1px solid var(--agent-chat-border-color, #d0d7de);
      border-radius: 8px;
    }
    button {
      font: inherit;
      padding: 0 1rem;
      border: 0;
      border-radius: 8px;
      background: var(--agent-chat-accent-color, #0969da);
      color: var(--agent-chat-accent-text-color, #fff);
      cursor: pointer;
    }
    button:disabled {
      opacity: 0.6;
      cursor: default;
    }
  `;

  /** URL of the BFF's streaming endpoint, e.g. `https://bff.example.com/v1/chat/stream`. */
  @property({ attribute: 'endpoint' }) endpoint = '';

  /** Placeholder text of the message input. */
  @property({ attribute: 'placeholder' }) placeholder = 'Ask something…';

  /** The conversation id sent as `session_id`; a random one unless set. */
  @property({ attribute: 'session-id' }) sessionId = newId();

  @state() private entries: Entry[] = [];
  @state() private busy = false;
  @query('textarea') private input!: HTMLTextAreaElement;
  @query('[part=transcript]') private transcript!: HTMLElement;

  private controller: AbortController | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.abort();
  }

  override render() {
    return html`
      <div part="base">
        <div part="transcript" role="log" aria-live="polite">
          ${repeat(this.entries, (e) => e.id, (e) => (e.role === 'user' ? html`<div class="message user">${e.text}</div>` : this.renderAssistant(e)))}
        </div>
        <form part="composer" @submit=${this.onSubmit}>
          <textarea
            aria-label="Message"
            rows="1"
            placeholder=${this.placeholder}
            @keydown=${this.onKeydown}
          ></textarea>
          <button type="submit" ?disabled=${this.busy}>Send</button>
        </form>
      </div>
    `;
  }

  private renderAssistant(turn: AssistantEntry) {
    return html`<div class="message assistant">
      ${turn.parts.map((p) => (p.kind === 'text' ? html`<span class="text">${p.text}</span>` : this.renderTool(p)))}
      ${turn.status === 'thinking' ? html`<span class="thinking">Thinking…</span>` : nothing}
      ${turn.error ? html`<div class="error" role="alert">${turn.error.message}</div>` : nothing}
    </div>`;
  }

  private renderTool(call: ToolCall) {
    const outcome =
      call.status === 'running' ? 'running…' : call.status === 'failed' ? html`failed: ${call.error}` : html`→ <code>${call.result}</code>`;
    return html`<div class="tool" data-status=${call.status}>
      🔧 <strong>${call.tool}</strong>(<code>${JSON.stringify(call.args)}</code>) ${outcome}
    </div>`;
  }

  /** Sends a message as if the user typed it. */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (!message || this.busy) return;
    if (!this.endpoint) throw new Error('<agent-chat> needs an endpoint attribute');
    const turn: AssistantEntry = { role: 'assistant', id: newId(), parts: [], status: 'thinking' };
    this.entries = [...this.entries, { role: 'user', id: newId(), text: message }, turn];
    this.busy = true;
    this.controller = new AbortController();
    try {
      await streamChat({
        endpoint: this.endpoint,
        message,
        sessionId: this.sessionId,
        signal: this.controller.signal,
        onEvent: (event) => this.onStreamEvent(turn, event),
      });
    } catch (error) {
      const e = error instanceof ChatStreamError ? error : new ChatStreamError('unknown', 'Something went wrong.', true);
      turn.status = 'error';
      turn.error = { code: e.code, message: e.message, retryable: e.retryable };
      this.requestUpdate();
    } finally {
      this.busy = false;
      this.controller = undefined;
    }
  }

  private onStreamEvent(turn: AssistantEntry, event: ChatEvent): void {
    applyEvent(turn, event);
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent('agent-chat-event', { detail: event, bubbles: true, composed: true }));
  }

  override updated(): void {
    this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const text = this.input.value;
    if (!text.trim() || this.busy) return;
    this.input.value = '';
    void this.send(text);
  }

  private onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.input.form?.requestSubmit();
    }
  }
}

// A page may load the script twice (say, once directly and once through a tag manager).
if (!customElements.get('agent-chat')) customElements.define('agent-chat', AgentChat);

declare global {
  interface HTMLElementTagNameMap {
    'agent-chat': AgentChat;
  }
}
