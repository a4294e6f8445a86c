import { type TemplateResult, html } from 'lit';
import type { Block, Inline } from './parse.ts';

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

export function renderBlocks(blocks: Block[], strings: MarkdownStrings): TemplateResult[] {
  return blocks.map((block) => renderBlock(block, strings));
}

function renderBlock(block: Block, strings: MarkdownStrings): TemplateResult {
  switch (block.type) {
    case 'paragraph':
      return html`<p>${renderInline(block.children, strings)}</p>`;
    case 'heading':
      // Real heading semantics without a tag per level; the host page's outline is not ours to shape.
      return html`<div role="heading" aria-level=${block.level} class="h h${block.level}">${renderInline(block.children, strings)}</div>`;
    case 'code':
      return html`<div class="code" part="code-block">
        <div class="bar">
          <span>${block.lang}</span>
          <button type="button" class="copy" part="copy-button" @click=${(e: Event) => copy(e, block.text)}>
            <span>${strings.copy}</span><span>${strings.copied}</span>
          </button>
        </div>
        <pre tabindex="0"><code>${block.text}</code></pre>
      </div>`;
    case 'quote':
      return html`<blockquote>${renderBlocks(block.children, strings)}</blockquote>`;
    case 'list': {
      const items = block.items.map((item) => html`<li>${renderBlocks(item, strings)}</li>`);
      return block.start === undefined ? html`<ul>${items}</ul>` : html`<ol start=${block.start}>${items}</ol>`;
    }
    case 'table':
      return html`<div class="table" tabindex="0">
        <table>
          <thead>
            <tr>${block.head.map((cell, i) => html`<th class=${block.align[i]!}>${renderInline(cell, strings)}</th>`)}</tr>
          </thead>
          <tbody>
            ${block.rows.map((row) => html`<tr>${row.map((cell, i) => html`<td class=${block.align[i]!}>${renderInline(cell, strings)}</td>`)}</tr>`)}
          </tbody>
        </table>
      </div>`;
    case 'rule':
      return html`<hr />`;
  }
}

function renderInline(nodes: Inline[], strings: MarkdownStrings): unknown[] {
  return nodes.map((node) => {
    if (typeof node === 'string') return node;
    switch (node.type) {
      case 'code':
        return html`<code>${node.text}</code>`;
      case 'em':
        return html`<em>${renderInline(node.children, strings)}</em>`;
      case 'strong':
        return html`<strong>${renderInline(node.children, strings)}</strong>`;
      case 'del':
        return html`<del>${renderInline(node.children, strings)}</del>`;
      case 'link':
        return node.href ? link(node.href, renderInline(node.children, strings)) : renderInline(node.children, strings);
      case 'image': {
        const label = `${strings.image}: ${node.alt || node.href || ''}`;
        return node.href ? link(node.href, label) : label;
      }
    }
  });
}

const link = (href: string, content: unknown) => html`<a href=${href} target="_blank" rel="noopener noreferrer">${content}</a>`;

function copy(event: Event, text: string): void {
  const button = event.currentTarget as HTMLElement;
  navigator.clipboard.writeText(text).then(
    () => {
      button.toggleAttribute('data-copied', true);
      setTimeout(() => button.removeAttribute('data-copied'), 2000);
    },
    // Refused (no permission, page not focused): the label simply stays "Copy".
    () => {},
  );
}
