import { css } from 'lit';

/** The form: the message input and the send or stop button. */
export const composer = css`
  form {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 12px;
    border-top: 1px solid var(--_border);
  }
  textarea,
  input {
    padding: 8px 12px;
    font: inherit;
    /* 16px or more: iOS zooms the page into any smaller field. */
    font-size: max(16px, 1em);
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_field);
    border-radius: 8px;
  }
  textarea {
    flex: 1;
    min-height: 44px;
    max-height: 160px;
    field-sizing: content;
    resize: none;
  }
  ::placeholder {
    color: var(--_muted);
  }
  form button {
    min-height: 44px;
  }
`;
