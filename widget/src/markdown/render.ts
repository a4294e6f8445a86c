import { type TemplateResult, html, nothing } from 'lit';
import type { Align } from './blocks.ts';
import { type Inline, inlineText } from './inline.ts';

/** The words the rendered markdown shows around the model's text. */
export interface MarkdownStrings {
  /** Label of a code block's copy button, and what it says once copied. */
  copy: string;
  copied: string;
  /** Prefix of the link that stands in for an image. */
  image: string;
}

/*
 * Safe by construction: every piece of model text goes into a Lit text binding (a Text node) or,
 * for links, into `href` after `safeUrl` accepted it. No markup is ever parsed from model text, and
 * nothing here makes the browser fetch anything (images are links).
 */

const SAFE_PROTOCOLS = ['http:', 'https:', 'mailto:'];

/** The URL to link to, or undefined unless it is an absolute http(s) or mailto URL. */
export function safeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (SAFE_PROTOCOLS.includes(url.protocol)) return url.href;
  } catch {
    // not an absolute URL: relative targets would resolve against the host page
  }
  return undefined;
}

export function renderInline(nodes: Inline[], strings: MarkdownStrings): unknown[] {
  return nodes.map((node) => {
    if (typeof node === 'string') return node;
    switch (node.t) {
      case 'code':
        return html`<code>${node.text}</code>`;
      case 'br':
        return html`<br />`;
      case 'em':
        return html`<em>${renderInline(node.c, strings)}</em>`;
      case 'strong':
        return html`<strong>${renderInline(node.c, strings)}</strong>`;
      case 'del':
        return html`<del>${renderInline(node.c, strings)}</del>`;
      case 'link': {
        const href = safeUrl(node.dest);
        const content = renderInline(node.c, strings);
        return href ? link(href, content, node.title) : content;
      }
      case 'img': {
        const href = safeUrl(node.dest);
        const label = `${strings.image}: ${inlineText(node.c) || node.dest}`;
        return href ? link(href, label, node.title) : label;
      }
    }
  });
}

const link = (href: string, content: unknown, title: string) =>
  html`<a href=${href} title=${title || nothing} target="_blank" rel="noopener noreferrer">${content}</a>`;

/** A fenced or indented code block's frame; its text goes into the `code` element. */
export const codeBlock = (lang: string, strings: MarkdownStrings) =>
  html`<div class="code" part="code-block">
    <div class="bar">
      <span>${lang}</span>
      <button type="button" class="copy" part="copy-button" @click=${copy}><span>${strings.copy}</span><span>${strings.copied}</span></button>
    </div>
    <pre tabindex="0"><code></code></pre>
  </div>`;

export const tableFrame = (head: TemplateResult[]) =>
  html`<div class="table" tabindex="0">
    <table>
      <thead>
        <tr>${head}</tr>
      </thead>
      <tbody></tbody>
      <tbody></tbody>
    </table>
  </div>`;

export const cell = (tag: 'th' | 'td', align: Align, content: unknown) =>
  tag === 'th' ? html`<th class=${align}>${content}</th>` : html`<td class=${align}>${content}</td>`;

function copy(event: Event): void {
  const button = event.currentTarget as HTMLElement;
  const text = button.closest('.code')!.querySelector('code')!.textContent!;
  navigator.clipboard.writeText(text).then(
    () => {
      button.toggleAttribute('data-copied', true);
      setTimeout(() => button.removeAttribute('data-copied'), 2000);
    },
    // Refused (no permission, page not focused): the label simply stays "Copy".
    () => {},
  );
}
