import { html, render } from 'lit';
import type { Block } from './blocks.ts';
import { type Definitions, type Inline, parseInline } from './inline.ts';
import { type MarkdownStrings, cell, codeBlock, renderInline, tableFrame } from './render.ts';
import type { MarkdownSource } from './source.ts';

/**
 * Top-level blocks per page. The browser's layout of a streaming answer walks the pages of the
 * message and the blocks of the last page: grouping keeps that walk short however long it grows.
 */
const PAGE_SIZE = 16;

/** A block as drawn: its element, and how much of it is drawn for good. */
interface Drawn {
  key: string;
  type: Block['type'];
  el: HTMLElement;
  /** Drawn for good: it will not be looked at again. */
  final: boolean;
  /** Containers: the children as drawn. */
  kids?: Kids;
  /** Paragraph: the line and column up to which it is drawn for good (settled text); its line count. */
  line: number;
  column: number;
  lineCount: number;
  /** Code lines or table rows drawn for good. */
  done: number;
  /** What is redrawn on every frame: the paragraph's open text, the code's last lines, the table's last row. */
  tail?: HTMLElement | Text;
  /** Code: the text drawn for good. */
  fixed?: Text;
  /** Table: its shape (alignments and header); a different one is a different table. */
  shape?: string;
}

interface Kids {
  items: Drawn[];
  /** How many of `items`, from the first, are final. */
  final: number;
  add: (el: HTMLElement) => void;
}

const isFinal = (b: Block) => !b.open && !b.tentative;
/** Lines (table rows) of `b` that will not change. */
const fixedLines = (b: Block) =>
  b.tentative ? (b.fixedLines ?? 0) : b.type === 'table' ? b.rows!.length : b.lines.length;

/** `s` without trailing spaces, tabs and line breaks (a loop: a regular expression here could backtrack). */
function trimEnd(s: string): string {
  let end = s.length;
  while (end && (s[end - 1] === ' ' || s[end - 1] === '\t' || s[end - 1] === '\n')) end--;
  return s.slice(0, end);
}

/**
 * The nodes of text still being written as they will probably read once it is: a code span or
 * emphasis still open is shown closed at the end (the closing mark is likely the next token), and
 * a link's half-written target is not shown. So `**bold te` does not jump to **bold te** later.
 */
function provisional(text: string, defs: Definitions): Inline[] {
  let result = parseInline(text, defs);
  if (result.openTicks) result = parseInline((text += result.openTicks), defs);
  const target = text.lastIndexOf('](');
  if (target >= 0 && !/[)\s]/.test(text.slice(target + 2)))
    result = parseInline((text = `${text.slice(0, target)}]()`), defs);
  return result.closers ? parseInline(text + result.closers, defs).nodes : result.nodes;
}

/** Renders `value` into a new fragment (for DOM drawn once and never updated). */
function fragment(value: unknown): DocumentFragment {
  const f = document.createDocumentFragment();
  render(value, f);
  return f;
}

/**
 * Renders a growing markdown text into `element` at a cost per frame that does not grow with the
 * message. The source parses each line once as it arrives; on each animation frame the view walks
 * only the open edge of the document: a block that is closed is drawn once and never looked at
 * again, a long open one (a list, a table, a paragraph without a blank line) gets only its new
 * items, rows or settled words drawn for good and its last bit redrawn. Lit updates the redrawn bit
 * in place (text nodes grow), so nothing flickers.
 *
 * Whatever goes wrong while drawing stays in this message: it then shows its text as plain text,
 * with a quiet notice, and goes on doing so as the text grows.
 *
 * ```ts
 * const view = new MarkdownView(new MarkdownSource(), { copy: 'Copy', copied: 'Copied', image: 'Image' });
 * container.append(view.element);
 * for await (const token of tokens) view.append(token); // renders on the next frame
 * view.flush(); // or render now
 * ```
 */
export class MarkdownView {
  /** The rendered message: pages of top-level blocks. */
  readonly element: HTMLElement = document.createElement('div');
  readonly source: MarkdownSource;
  private readonly strings: MarkdownStrings;
  /** Shown above the plain text when drawing failed. */
  private readonly failureNotice: string;
  private generation = -1;
  private kids!: Kids;
  private page: HTMLElement | undefined;
  private frame = 0;
  /** Final blocks whose text named a reference not defined yet, by label. */
  private waiting: Array<{ labels: Set<string>; drawn: Drawn }> = [];
  private defsSeen = 0;
  /** Set once drawing failed: the text shows as plain text from then on. */
  private plain: Text | undefined;

  constructor(source: MarkdownSource, strings: MarkdownStrings, failureNotice = '') {
    this.source = source;
    this.strings = strings;
    this.failureNotice = failureNotice;
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
    if (this.plain) {
      this.plain.data = this.source.text;
      return;
    }
    try {
      this.draw();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The text a screen reader should hear: the words, without the code blocks' buttons. */
  plainText(): string {
    const copy = this.element.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.bar, .notice').forEach((bar) => bar.remove());
    copy.querySelectorAll('p,li,.h,pre,th,td').forEach((block) => block.append(' '));
    return copy.textContent!.replace(/\s+/g, ' ').trim();
  }

  private draw(): void {
    const { generation } = this.source;
    if (generation !== this.generation) {
      this.generation = generation;
      this.element.replaceChildren();
      this.page = undefined;
      this.waiting = [];
      this.defsSeen = 0;
      this.kids = { items: [], final: 0, add: (el) => this.addPage(el) };
    }
    const doc = this.source.document();
    const defs = this.source.defs;
    if (defs.size !== this.defsSeen) this.redrawWaiting(doc, defs);
    this.sync(this.kids, doc.children, defs);
  }

  private addPage(el: HTMLElement): void {
    if (!this.page || this.page.childElementCount >= PAGE_SIZE)
      this.page = this.element.appendChild(document.createElement('div'));
    this.page.append(el);
  }

  /** Brings the drawn children up to date with `blocks`, from the first one not final. */
  private sync(kids: Kids, blocks: Block[], defs: Definitions): void {
    for (let i = kids.final; i < blocks.length; i++) {
      const block = blocks[i]!;
      let drawn = kids.items[i];
      if (!drawn || drawn.key !== block.key || drawn.type !== block.type) {
        const fresh = this.create(block);
        if (drawn) drawn.el.replaceWith(fresh.el);
        else kids.add(fresh.el);
        kids.items[i] = drawn = fresh;
      }
      this.update(drawn, block, defs);
      if (drawn.final && i === kids.final) kids.final++;
    }
    // Blocks a previous preview showed and this one does not.
    for (const gone of kids.items.splice(blocks.length)) gone.el.remove();
  }

  private create(block: Block): Drawn {
    const drawn: Drawn = {
      key: block.key,
      type: block.type,
      el: undefined!,
      final: false,
      line: 0,
      column: 0,
      lineCount: 0,
      done: 0,
    };
    const container = (el: HTMLElement) => {
      drawn.el = el;
      drawn.kids = { items: [], final: 0, add: (child) => el.append(child) };
    };
    switch (block.type) {
      case 'paragraph':
        drawn.el = document.createElement('p');
        drawn.tail = drawn.el.appendChild(document.createElement('span'));
        break;
      case 'heading':
        drawn.el = document.createElement('div');
        drawn.el.setAttribute('role', 'heading');
        drawn.el.setAttribute('aria-level', String(block.level));
        drawn.el.className = `h h${block.level}`;
        break;
      case 'code': {
        drawn.el = fragment(codeBlock(block.info?.split(/[ \t]/)[0] ?? '', this.strings))
          .firstElementChild as HTMLElement;
        const code = drawn.el.querySelector('code')!;
        drawn.fixed = code.appendChild(new Text());
        drawn.tail = code.appendChild(new Text());
        break;
      }
      case 'table': {
        const head = block.head!.map((text, i) => cell('th', block.align![i]!, this.inline(text, drawn)));
        drawn.el = fragment(tableFrame(head)).firstElementChild as HTMLElement;
        drawn.shape = JSON.stringify([block.align, block.head]);
        drawn.tail = drawn.el.querySelectorAll('tbody')[1]!;
        break;
      }
      case 'rule':
        drawn.el = document.createElement('hr');
        break;
      case 'quote':
        container(document.createElement('blockquote'));
        break;
      case 'list': {
        const { ordered, start } = block.list!;
        const el = document.createElement(ordered ? 'ol' : 'ul');
        if (ordered && start !== 1) el.setAttribute('start', String(start));
        container(el);
        break;
      }
      default:
        container(document.createElement('li'));
    }
    return drawn;
  }

  private update(drawn: Drawn, block: Block, defs: Definitions): void {
    const final = isFinal(block);
    switch (block.type) {
      case 'paragraph':
        return this.paragraph(drawn, block, defs, final);
      case 'heading':
        render(
          renderInline(
            final ? this.parse(block.lines[0]!, defs, drawn) : provisional(block.lines[0]!, defs),
            this.strings,
          ),
          drawn.el,
        );
        break;
      case 'code':
        this.code(drawn, block, final);
        break;
      case 'table':
        this.table(drawn, block, final);
        break;
      case 'rule':
        break;
      default:
        this.sync(drawn.kids!, block.children, defs);
        drawn.final = final && drawn.kids!.final === block.children.length;
        return;
    }
    drawn.final = final;
  }

  /**
   * A paragraph: text that nothing after it can change any more (`settled` by the inline parser)
   * is drawn for good; only the rest is parsed and drawn again on the next frame. So a paragraph
   * of 100 KB without a blank line costs, per frame, its last few words.
   */
  private paragraph(drawn: Drawn, block: Block, defs: Definitions, final: boolean): void {
    const lines = block.lines;
    if (lines.length < drawn.lineCount) {
      // A line the last preview gave it went elsewhere (a table header, say): draw it afresh.
      drawn.el.replaceChildren(drawn.tail!);
      drawn.line = drawn.column = 0;
    }
    drawn.lineCount = lines.length;
    let rest = lines[drawn.line]!.slice(drawn.column);
    for (let i = drawn.line + 1; i < lines.length; i++) rest += `\n${lines[i]}`;
    rest = trimEnd(rest);
    // A paragraph that starts with `[` may yet turn out to be link reference definitions.
    if (!final && !lines[0]!.startsWith('[')) {
      const { settled } = parseInline(rest, defs);
      if (settled) {
        const done = rest.slice(0, settled);
        drawn.tail!.before(fragment(renderInline(this.parse(done, defs, drawn), this.strings)));
        const breaks = done.split('\n').length - 1;
        drawn.line += breaks;
        drawn.column = breaks ? done.length - done.lastIndexOf('\n') - 1 : drawn.column + done.length;
        rest = rest.slice(settled);
      }
    }
    const nodes = final ? this.parse(rest, defs, drawn) : provisional(rest, defs);
    render(renderInline(nodes, this.strings), drawn.tail as HTMLElement);
    drawn.final = final;
  }

  private code(drawn: Drawn, block: Block, final: boolean): void {
    const lines = block.lines;
    const fixed = drawn.fixed!;
    const tail = drawn.tail as Text;
    if (final && !block.fence) {
      // Trailing blank lines drawn while it streamed are not part of an indented block.
      fixed.data = lines.join('\n');
      tail.data = '';
      return;
    }
    const upTo = final ? lines.length : fixedLines(block);
    for (; drawn.done < upTo; drawn.done++) fixed.appendData((drawn.done ? '\n' : '') + lines[drawn.done]);
    const open = lines.slice(upTo).join('\n');
    tail.data = open && upTo ? `\n${open}` : open;
  }

  private table(drawn: Drawn, block: Block, final: boolean): void {
    if (drawn.shape !== JSON.stringify([block.align, block.head])) {
      // A preview's delimiter row that changed as it grew: a new table.
      this.swap(drawn, this.create(block));
    }
    const rows = block.rows!;
    const row = (cells: string[], keep: boolean) =>
      html`<tr>${cells.map((text, i) => cell('td', block.align![i]!, this.inline(text, keep ? drawn : undefined)))}</tr>`;
    const body = drawn.el.querySelector('tbody')!;
    const upTo = final ? rows.length : fixedLines(block);
    // New rows are drawn for good together, in one fragment.
    if (drawn.done < upTo) body.append(fragment(rows.slice(drawn.done, upTo).map((cells) => row(cells, true))));
    drawn.done = upTo;
    render(
      rows.slice(upTo).map((cells) => row(cells, false)),
      drawn.tail as HTMLElement,
    );
  }

  private inline(text: string, keep: Drawn | undefined): unknown[] {
    return renderInline(this.parse(text, this.source.defs, keep), this.strings);
  }

  /** Parses inline text; for text drawn for good (`keep`), notes the references it waits for. */
  private parse(text: string, defs: Definitions, keep: Drawn | undefined) {
    const { nodes, missing } = parseInline(text, defs);
    if (keep && missing.size) this.waiting.push({ labels: missing, drawn: keep });
    return nodes;
  }

  /** Puts `fresh` where `drawn` was (the parent keeps its record of `drawn`). */
  private swap(drawn: Drawn, fresh: Drawn): void {
    drawn.el.replaceWith(fresh.el);
    Object.assign(drawn, fresh);
  }

  /** New link reference definitions: blocks drawn for good that named one are drawn again. */
  private redrawWaiting(doc: Block, defs: Definitions): void {
    this.defsSeen = defs.size;
    const ready = new Set(
      this.waiting.filter(({ labels }) => [...labels].some((label) => defs.has(label))).map((w) => w.drawn),
    );
    if (!ready.size) return;
    this.waiting = this.waiting.filter((w) => !ready.has(w.drawn));
    const keys = new Map([...ready].map((drawn) => [drawn.key, drawn]));
    // The blocks by key, in a walk without recursion.
    const stack = [doc];
    while (stack.length) {
      const block = stack.pop()!;
      const drawn = keys.get(block.key);
      if (drawn?.type === block.type && drawn.el.isConnected) {
        const fresh = this.create(block);
        this.update(fresh, block, defs);
        this.swap(drawn, fresh);
      }
      stack.push(...block.children);
    }
  }

  /** Drawing threw: this message shows as plain text from now on, with a quiet notice. */
  private fail(error: unknown): void {
    console.warn('agent-chat: a message could not be formatted and is shown as plain text', error);
    const notice = document.createElement('div');
    notice.className = 'notice';
    notice.setAttribute('part', 'render-notice');
    notice.textContent = this.failureNotice;
    const text = document.createElement('div');
    text.className = 'plain';
    this.plain = text.appendChild(new Text(this.source.text));
    this.element.replaceChildren(...(this.failureNotice ? [notice] : []), text);
  }
}
