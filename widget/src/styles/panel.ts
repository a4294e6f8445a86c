import { css } from 'lit';

/** The chat box: header, buttons, the scrolling transcript and its jump button. */
export const panel = css`
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
`;
