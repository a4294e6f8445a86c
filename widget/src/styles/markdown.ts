import { css } from 'lit';

/** Rendered answers: code, blocks, headings, links, code blocks with their copy button, tables. */
export const markdown = css`
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
`;
