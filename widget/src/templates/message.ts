import { html, nothing } from 'lit';
import type { MarkdownView } from '../markdown/view.ts';
import { type AgentChatStrings, describeError } from '../strings.ts';
import {
  type AssistantEntry,
  type Entry,
  type Rating,
  type TextPart,
  type ToolCall,
  entryText,
} from '../transcript.ts';

/** What the message templates need from the element. */
export interface MessageContext {
  strings: AgentChatStrings;
  showTools: boolean;
  /** Whether finished answers offer a rating. */
  feedback: boolean;
  /** The rendered markdown of a text part (kept per part, updated as it streams). */
  viewFor(part: TextPart): MarkdownView;
  onRetry(): void;
  /** The user approved or denied `call` (the note is in the card's input). */
  onAnswer(e: Event, turn: AssistantEntry, call: ToolCall, approved: boolean): void;
  onRate(turn: AssistantEntry, rating: Rating): void;
  /** The feedback comment's form was sent. */
  onComment(e: SubmitEvent, turn: AssistantEntry): void;
  /** A suggestion was picked: send it. */
  onPick(text: string): void;
}

// The buttons below are outside any form: they need no type="button" (every byte of a template ships).

/** Suggested messages as buttons: a starter's on an empty chat, or follow-ups under the last answer. */
export const chipsTemplate = (
  items: readonly string[] | undefined,
  s: AgentChatStrings,
  onPick: (text: string) => void,
) =>
  items?.length
    ? html`<div part="suggestions" class="row" role="group" aria-label=${s.suggestions}>${items.map(
        (text) => html`<button part="suggestion" class="ghost" @click=${() => onPick(text)}>${text}</button>`,
      )}</div>`
    : nothing;

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
        : [
            ctx.showTools ? toolTemplate(part, s) : nothing,
            part.reason === undefined ? nothing : approvalTemplate(turn, part, ctx),
          ],
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
    ${turn.status === 'complete' && ctx.feedback && entryText(turn) ? feedbackTemplate(turn, ctx) : nothing}
    ${isLast && turn.status === 'complete' ? chipsTemplate(turn.suggestions, s, ctx.onPick) : nothing}
  </div>`;
}

const commentInput = (part: string, s: AgentChatStrings) =>
  html`<input part=${part} aria-label=${s.comment} placeholder=${s.comment} maxlength="1000">`;

/** The question before a call runs: what and why, Approve / Deny with an optional note while it waits, then the answer. */
function approvalTemplate(turn: AssistantEntry, call: ToolCall, ctx: MessageContext) {
  const s = ctx.strings;
  const { reason, approved, note } = call;
  const open = call.status === 'waiting' && turn.status === 'interrupted';
  // Written without the whitespace between tags: every byte of a template ships.
  return html`<div part="approval-card" class="tool card" role="group" aria-label=${s.approvalNeeded}><div>${reason}</div><pre><code>${call.tool} ${JSON.stringify(call.args, null, 2)}</code></pre>${
    open
      ? html`<div class="row">${commentInput('approval-note', s)}<button part="approve-button" @click=${(e: Event) => ctx.onAnswer(e, turn, call, true)}>${s.approve}</button><button part="deny-button" class="ghost" @click=${(e: Event) => ctx.onAnswer(e, turn, call, false)}>${s.deny}</button></div>`
      : approved === undefined
        ? nothing
        : html`<div class="status">${approved ? s.approved : s.denied}${note ? `: ${note}` : ''}</div>`
  }</div>`;
}

/** Thumbs up / down on a finished answer; once rated, an optional comment, until it is sent. */
function feedbackTemplate(turn: AssistantEntry, ctx: MessageContext) {
  const s = ctx.strings;
  const given = turn.feedback;
  const thumb = (rating: Rating, label: string, icon: string) =>
    html`<button part="rate-button" class="ghost" aria-label=${label} aria-pressed=${given?.rating === rating} @click=${() => ctx.onRate(turn, rating)}>${icon}</button>`;
  return html`<div part="feedback" class="row">${thumb('up', s.rateUp, '👍')}${thumb('down', s.rateDown, '👎')}${
    given?.comment === undefined && given
      ? html`<form class="row" @submit=${(e: SubmitEvent) => ctx.onComment(e, turn)}>${commentInput('feedback-input', s)}<button part="feedback-send" class="ghost">${s.send}</button></form>`
      : nothing
  }</div>`;
}

function toolTemplate(call: ToolCall, s: AgentChatStrings) {
  const status = {
    running: s.toolRunning,
    waiting: s.toolWaiting,
    done: s.toolDone,
    failed: s.toolFailed,
    cancelled: s.toolCancelled,
  }[call.status];
  return html`<details part="tool-card" class="tool" data-status=${call.status}>
    <summary><span class="name">${call.tool}</span><code>${JSON.stringify(call.args)}</code><span class="status">${status}</span></summary>
    <div class="label">${s.toolArguments}</div>
    <pre><code>${JSON.stringify(call.args, null, 2)}</code></pre>
    ${call.status === 'done' ? html`<div class="label">${s.toolResult}</div><pre><code>${call.result}</code></pre>` : nothing}
    ${call.status === 'failed' ? html`<div class="label">${s.toolError}</div><pre class="error"><code>${call.error}</code></pre>` : nothing}
  </details>`;
}
