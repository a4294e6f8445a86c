import { html, nothing } from 'lit';
import type { MarkdownView } from '../markdown/view.ts';
import { type AgentChatStrings, describeError } from '../strings.ts';
import { type AssistantEntry, type Entry, type TextPart, type ToolCall, entryText } from '../transcript.ts';

/** What the message templates need from the element. */
export interface MessageContext {
  strings: AgentChatStrings;
  showTools: boolean;
  /** The rendered markdown of a text part (kept per part, updated as it streams). */
  viewFor(part: TextPart): MarkdownView;
  onRetry(): void;
}

/** One message; if drawing it throws, its text as plain text with a notice, and the rest goes on. */
export function messageTemplate(entry: Entry, isLast: boolean, ctx: MessageContext) {
  const s = ctx.strings;
  try {
    return entry.role === 'user'
      ? html`<div part="message message-user" class="message user"><span class="sr">${s.you}: </span>${entry.text}</div>`
      : turnTemplate(entry, isLast, ctx);
  } catch (error) {
    console.warn('agent-chat: a message could not be shown and is shown as plain text', error);
    return html`<div part="message message-${entry.role}" class="message ${entry.role}">
      <div part="render-notice" class="notice">${s.renderFailed}</div>
      <div class="plain">${entryText(entry)}</div>
    </div>`;
  }
}

function turnTemplate(turn: AssistantEntry, isLast: boolean, ctx: MessageContext) {
  const s = ctx.strings;
  const lastPart = turn.parts.at(-1);
  // Thinking: nothing yet, or a tool answered and the agent works on with its result.
  const thinking = turn.status === 'thinking' || (turn.status === 'streaming' && lastPart?.kind === 'tool');
  const ended = turn.status === 'error' || turn.status === 'cancelled';
  return html`<div part="message message-assistant" class="message assistant" data-status=${turn.status}>
    <span class="sr">${s.assistant}:</span>
    ${turn.parts.map((part) =>
      part.kind === 'text'
        ? html`<div class="text">${ctx.viewFor(part).element}</div>`
        : ctx.showTools
          ? toolTemplate(part, s)
          : nothing,
    )}
    ${
      turn.reconnecting
        ? html`<div part="reconnecting" class="thinking">${s.reconnecting}</div>`
        : thinking
          ? html`<div part="thinking" class="thinking">${s.thinking}</div>`
          : nothing
    }
    ${turn.status === 'cancelled' ? html`<div class="stopped">${s.stopped}</div>` : nothing}
    ${
      turn.status === 'error'
        ? html`<div part="error" class="error" role="alert">${describeError(s, turn.error ?? { code: 'unknown', message: '' })}</div>`
        : nothing
    }
    ${ended && isLast ? html`<button type="button" part="retry-button" class="ghost" @click=${ctx.onRetry}>${s.retry}</button>` : nothing}
  </div>`;
}

function toolTemplate(call: ToolCall, s: AgentChatStrings) {
  const status = { running: s.toolRunning, done: s.toolDone, failed: s.toolFailed, cancelled: s.toolCancelled }[
    call.status
  ];
  return html`<details part="tool-card" class="tool" data-status=${call.status}>
    <summary><span class="name">${call.tool}</span><code>${JSON.stringify(call.args)}</code><span class="status">${status}</span></summary>
    <div class="label">${s.toolArguments}</div>
    <pre><code>${JSON.stringify(call.args, null, 2)}</code></pre>
    ${call.status === 'done' ? html`<div class="label">${s.toolResult}</div><pre><code>${call.result}</code></pre>` : nothing}
    ${call.status === 'failed' ? html`<div class="label">${s.toolError}</div><pre class="error"><code>${call.error}</code></pre>` : nothing}
  </details>`;
}
