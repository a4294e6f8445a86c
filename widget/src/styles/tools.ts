import { css } from 'lit';

/** Tool cards (a call's name, arguments, status and result), approval cards, feedback and suggestion rows. */
export const tools = css`
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
  /* Running, or paused on the call (for the user's approval, or while the page runs it). */
  :is([data-status='running'], [data-status='waiting']) .status::before {
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
  .tool pre,
  .card pre {
    max-height: 192px;
    margin: 4px 10px 10px;
    white-space: pre-wrap;
  }
  .card {
    padding: 8px 10px;
    border-color: var(--_accent);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
  }
  input {
    flex: 1;
    min-width: 8em;
  }
  [part='suggestion'] {
    border-radius: 999px;
  }

`;
