import { css } from 'lit';

/*
 * Every colour comes from an `--agent-chat-*` custom property with a default per theme; the
 * internal `--_*` names only pick between them. The defaults meet WCAG AA in both themes (text
 * 4.5:1, the input's border 3:1). Shadow DOM keeps all of this away from the host page.
 */
const dark = css`
  --_bg: var(--agent-chat-background, #0d1117);
  --_surface: var(--agent-chat-surface, #151b23);
  --_text: var(--agent-chat-text-color, #f0f6fc);
  --_muted: var(--agent-chat-muted-color, #9198a1);
  --_border: var(--agent-chat-border-color, #3d444d);
  --_field: var(--agent-chat-field-border-color, #6e7681);
  --_accent: var(--agent-chat-accent-color, #1f6feb);
  --_link: var(--agent-chat-link-color, #4493f8);
  --_error: var(--agent-chat-error-color, #f85149);
  --_focus: var(--agent-chat-focus-color, #4493f8);
  color-scheme: dark;
`;

export const styles = css`
  /*
   * The host page's inherited styles stop here (its centred, letter-spaced, 10px or Impact text),
   * and sizes are px, not rem, so a page's root font size does not shrink the widget. Only
   * direction is inherited: the widget mirrors on a right-to-left page. Sites still set the
   * --agent-chat-* properties, in rem if they like.
   */
  :host {
    all: initial;
    --_bg: var(--agent-chat-background, #fff);
    --_surface: var(--agent-chat-surface, #f6f8fa);
    --_text: var(--agent-chat-text-color, #1f2328);
    --_muted: var(--agent-chat-muted-color, #59636e);
    --_border: var(--agent-chat-border-color, #d1d9e0);
    --_field: var(--agent-chat-field-border-color, #818b98);
    --_accent: var(--agent-chat-accent-color, #0969da);
    --_link: var(--agent-chat-link-color, #0969da);
    --_error: var(--agent-chat-error-color, #d1242f);
    --_focus: var(--agent-chat-focus-color, #0969da);
    --_on-accent: var(--agent-chat-accent-text-color, #fff);
    --_radius: var(--agent-chat-radius, 12px);
    --_mono: var(--agent-chat-code-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    color-scheme: light;
    display: block;
    font-family: var(--agent-chat-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--agent-chat-font-size, 16px);
    line-height: 1.5;
    color: var(--_text);
    text-align: start;
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${dark}
    }
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  * {
    box-sizing: border-box;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  [part~='base'] {
    display: flex;
    flex-direction: column;
    height: var(--agent-chat-height, 512px);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 8px 12px;
    border-bottom: 1px solid var(--_border);
  }
  .heading {
    flex: 1;
    font-weight: 600;
  }
  button {
    font: inherit;
    color: var(--_on-accent);
    background: var(--_accent);
    border: 0;
    border-radius: 8px;
    padding: 8px 16px;
    cursor: pointer;
  }
  button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .ghost {
    color: var(--_text);
    background: none;
    border: 1px solid var(--_border);
    padding: 4px 10px;
    font-size: 0.875em;
  }
  .icon {
    display: inline-grid;
    place-items: center;
    padding: 6px;
  }
  svg {
    width: 20px;
    height: 20px;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
  }

  .body {
    position: relative;
    flex: 1;
    min-height: 0;
    display: flex;
  }
  .log {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
  }
  /*
   * Block layout, not flex, all the way down to the markdown: the browser then lays out only what
   * changed while an answer streams, where a flex container (or a shrink-to-fit bubble) would
   * measure the whole, ever longer, answer again on every frame.
   */
  .content {
    padding: 16px;
  }
  .message + .message {
    margin-top: 12px;
  }
  .jump {
    position: absolute;
    bottom: 12px;
    left: 50%;
    transform: translateX(-50%);
    padding: 4px 14px;
    border-radius: 999px;
    box-shadow: 0 2px 8px #0004;
    font-size: 0.875em;
  }
  .message {
    max-width: 85%;
    padding: 8px 12px;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }
  .user {
    width: fit-content;
    margin-inline-start: auto;
    white-space: pre-wrap;
    color: var(--_on-accent);
    background: var(--_accent);
  }
  .assistant {
    max-width: none;
    background: var(--_surface);
  }
  .assistant > :not(.sr) + * {
    margin-top: 8px;
  }
  .text {
    display: flow-root;
  }
  .thinking,
  .stopped {
    color: var(--_muted);
    font-style: italic;
  }
  .thinking {
    animation: pulse 1.4s ease-in-out infinite;
  }
  @keyframes pulse {
    50% {
      opacity: 0.55;
    }
  }
  .error {
    color: var(--_error);
  }
  .notice {
    color: var(--_muted);
    font-size: 0.875em;
    font-style: italic;
  }
  .plain {
    white-space: pre-wrap;
  }

  .tool {
    font-size: 0.875em;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
  }
  summary {
    display: flex;
    align-items: baseline;
    gap: 8px;
    padding: 6px 10px;
    cursor: pointer;
  }
  summary > code {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--_muted);
  }
  .name {
    font-weight: 600;
  }
  .status {
    color: var(--_muted);
  }
  [data-status='running'] .status::before {
    content: '';
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    margin-inline-end: 0.35em;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  [data-status='failed'] .status {
    color: var(--_error);
  }
  .label {
    padding: 0 10px;
    color: var(--_muted);
  }
  .tool pre {
    max-height: 192px;
    margin: 4px 10px 10px;
    white-space: pre-wrap;
  }

  pre,
  code {
    font-family: var(--_mono);
    font-size: 0.875em;
  }
  pre {
    overflow: auto;
  }
  pre code {
    font-size: 1em;
  }
  /* Each block keeps a bottom margin; the message's own negative one takes back the last. */
  .md {
    display: flow-root;
    margin-bottom: -10px;
  }
  /* A page of finished chunks lays itself out alone: text streaming below never touches it. */
  .md > div {
    contain: layout style;
  }
  .md :where(p, ul, ol, blockquote, pre, hr, .h, .code, .table) {
    margin: 0 0 10px;
  }
  .md li > * {
    margin: 2px 0;
  }
  .md p {
    white-space: pre-line;
  }
  .md :is(ul, ol) {
    padding-inline-start: 24px;
  }
  .h {
    font-weight: 600;
    font-size: 1.05em;
  }
  .h1 {
    font-size: 1.3em;
  }
  .h2 {
    font-size: 1.2em;
  }
  blockquote {
    padding-inline-start: 12px;
    color: var(--_muted);
    border-inline-start: 3px solid var(--_border);
  }
  hr {
    width: 100%;
    border: 0;
    border-top: 1px solid var(--_border);
  }
  a {
    color: var(--_link);
  }
  :not(pre) > code {
    padding: 0.1em 0.3em;
    background: var(--_bg);
    border-radius: 4px;
  }
  .code {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    overflow: hidden;
  }
  .bar {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: 4px;
    padding-inline-start: 12px;
    color: var(--_muted);
    font-size: 0.8em;
    border-bottom: 1px solid var(--_border);
  }
  .copy {
    padding: 2px 8px;
    color: var(--_text);
    background: none;
  }
  .copy:not([data-copied]) span + span,
  .copy[data-copied] span:first-child {
    display: none;
  }
  .code pre {
    margin: 0;
    padding: 12px;
  }
  .table {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
  }
  th,
  td {
    padding: 4px 8px;
    border: 1px solid var(--_border);
    text-align: start;
  }
  .center {
    text-align: center;
  }
  .right {
    text-align: end;
  }

  form {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 12px;
    border-top: 1px solid var(--_border);
  }
  textarea {
    flex: 1;
    min-height: 44px;
    max-height: 160px;
    field-sizing: content;
    resize: none;
    padding: 8px 12px;
    font: inherit;
    /* 16px or more: iOS zooms the page into any smaller field. */
    font-size: max(16px, 1em);
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_field);
    border-radius: 8px;
  }
  textarea::placeholder {
    color: var(--_muted);
  }
  form button {
    min-height: 44px;
  }

  .launcher {
    position: fixed;
    inset-inline-end: 16px;
    bottom: 16px;
    z-index: var(--agent-chat-z-index, 2147483000);
    display: grid;
    place-items: center;
    width: 56px;
    height: 56px;
    padding: 0;
    border-radius: 50%;
    box-shadow: 0 4px 14px #0005;
  }
  .launcher svg {
    width: 25.6px;
    height: 25.6px;
  }
  :host([mode='launcher']) [part~='base'] {
    position: fixed;
    inset-inline-end: 16px;
    bottom: 88px;
    z-index: var(--agent-chat-z-index, 2147483000);
    width: min(var(--agent-chat-panel-width, 384px), calc(100vw - 32px));
    height: min(var(--agent-chat-panel-height, 640px), calc(100dvh - 112px));
    box-shadow: 0 8px 30px #0004;
  }
  /* Phones: the open panel takes the whole screen; dvh follows the on-screen keyboard. */
  @media (max-width: 480px) {
    :host([mode='launcher']) [part~='base'] {
      inset: 0;
      width: 100%;
      height: 100dvh;
      border: 0;
      border-radius: 0;
    }
    /* The panel's own close button does the launcher's job, which would cover the send button. */
    :host([open]) .launcher {
      display: none;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    *,
    ::before {
      animation: none !important;
      transition: none !important;
    }
  }
`;
