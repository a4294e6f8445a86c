import { css } from 'lit';

/** Messages: the user's, the agent's, thinking, stopped, errors, the plain-text fallback. */
export const messages = css`
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
`;
