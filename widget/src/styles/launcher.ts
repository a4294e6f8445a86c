import { css } from 'lit';

/** Launcher mode: the floating button, the panel it opens, phones, reduced motion. */
export const launcher = css`
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
