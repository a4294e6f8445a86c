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

/** The host element: the page's styles stop here, the themes, the reset every region relies on. */
export const host = css`
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
`;
