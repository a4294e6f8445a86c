import { render } from 'lit';
import { parseBlocks } from './parse.ts';
import { type MarkdownStrings, renderBlocks } from './render.ts';
import { MarkdownSource } from './source.ts';

/**
 * Chunks per page. The browser's layout of a streaming answer walks the pages of the message and
 * the chunks of the last page: grouping keeps that walk short however long the answer grows.
 */
const PAGE_SIZE = 16;

/**
 * Renders a growing markdown text into `element` at a cost per token that does not grow with the
 * message: each closed chunk of the source is parsed and rendered once, into a wrapper of its own
 * that is never touched again; only the open chunk is re-parsed, and only once per animation frame
 * however many tokens arrived in it. Lit updates the open chunk's DOM in place (text nodes grow),
 * so nothing flickers.
 *
 * ```ts
 * const view = new MarkdownView(new MarkdownSource(), { copy: 'Copy', copied: 'Copied', image: 'Image' });
 * container.append(view.element);
 * for await (const token of tokens) view.append(token); // renders on the next frame
 * view.flush(); // or render now
 * ```
 */
export class MarkdownView {
  /** The rendered message: pages of chunk wrappers (plain `div`s) holding the rendered blocks. */
  readonly element: HTMLElement = document.createElement('div');
  readonly source: MarkdownSource;
  private readonly strings: MarkdownStrings;
  /** Closed chunks already rendered for good. */
  private rendered = 0;
  private generation = -1;
  /** The wrapper of the open chunk, re-rendered each frame. */
  private openWrapper: HTMLElement | undefined;
  /** The page new chunks go into. */
  private page: HTMLElement | undefined;
  private frame = 0;

  constructor(source: MarkdownSource, strings: MarkdownStrings) {
    this.source = source;
    this.strings = strings;
    this.element.className = 'md';
    this.flush();
  }

  append(delta: string): void {
    this.source.append(delta);
    this.schedule();
  }

  replace(text: string): void {
    this.source.replace(text);
    this.schedule();
  }

  /** Renders on the next animation frame, once for all the changes until then. */
  schedule(): void {
    this.frame ||= requestAnimationFrame(() => this.flush());
  }

  /** Renders what changed now. */
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const { closed, open, generation } = this.source;
    if (generation !== this.generation) {
      this.generation = generation;
      this.element.replaceChildren();
      this.rendered = 0;
      this.openWrapper = this.page = undefined;
    }
    // A chunk that closed since the last frame gets its final render in the wrapper it grew in.
    for (; this.rendered < closed.length; this.rendered++) this.renderChunk(closed[this.rendered]!, false);
    this.renderChunk(open, true);
  }

  /** The text a screen reader should hear: the words, without the code blocks' buttons. */
  plainText(): string {
    const copy = this.element.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.bar').forEach((bar) => bar.remove());
    copy.querySelectorAll('p,li,.h,pre,th,td').forEach((block) => block.append(' '));
    return copy.textContent!.replace(/\s+/g, ' ').trim();
  }

  private renderChunk(text: string, open: boolean): void {
    let wrapper = this.openWrapper;
    if (!wrapper) {
      if (!this.page || this.page.childElementCount === PAGE_SIZE) this.page = this.element.appendChild(document.createElement('div'));
      wrapper = this.page.appendChild(document.createElement('div'));
    }
    this.openWrapper = open ? wrapper : undefined;
    render(renderBlocks(parseBlocks(text, open), this.strings), wrapper);
  }
}
