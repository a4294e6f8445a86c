import { type Definitions, parseDefinitions, unescapeString } from './inline.ts';

/**
 * Markdown's block structure, line by line: CommonMark's block parsing strategy (the spec's
 * appendix: a stack of open blocks, each line continuing or closing them and maybe opening new
 * ones) with GFM tables. Raw HTML blocks are not recognised: they stay text.
 *
 * It is incremental: `line()` takes each complete line as it streams in, and `preview(tail)`
 * shows the document as if the unfinished last line were complete, without changing the parser:
 * it copies only the open blocks (the right edge of the tree) and runs the line on the copy.
 * Blocks that are closed never change again, so a renderer can draw them once.
 *
 * Linear and in bounded stack for every input: each line is looked at a bounded number of times
 * per open block; containers nest at most MAX_NESTING deep (deeper `>` or list markers are text),
 * which also bounds the length of the open edge; no regular expression can backtrack over
 * unbounded input.
 */

export type Align = '' | 'left' | 'center' | 'right';

export interface Block {
  type: 'document' | 'quote' | 'list' | 'item' | 'paragraph' | 'heading' | 'code' | 'rule' | 'table';
  /** Where it started (line and depth): the same block has the same key in every preview. */
  key: string;
  open: boolean;
  /** Made by a preview: a copy of an open block, or a block the unfinished line opened. */
  tentative?: boolean;
  /** On a preview's copy: how many of `lines` (or table `rows`) the real block has. */
  fixedLines?: number;
  parent: Block | undefined;
  children: Block[];
  /** Paragraph and code lines; a heading's text is its one line. */
  lines: string[];
  depth: number;
  startLine: number;
  endLine: number;
  /** Heading level. */
  level?: number;
  /** Fenced code: the info string (its first word is the language). */
  info?: string;
  fence?: { char: string; length: number; offset: number };
  /** A fenced code block's first line is its info string, not code. */
  infoPending?: boolean;
  /** List and item. */
  list?: ListData;
  /** Table: alignment per column, header cells, body rows (cells as raw text). */
  align?: Align[];
  head?: string[];
  rows?: string[][];
}

interface ListData {
  ordered: boolean;
  /** The bullet character, or the ordered list's delimiter (`.` or `)`). */
  marker: string;
  start: number;
  tight: boolean;
  markerOffset: number;
  padding: number;
}

/** Containers (quotes, lists, items) nest at most this deep; a deeper marker is text. */
export const MAX_NESTING = 48;
const CODE_INDENT = 4;

const ORDERED = /(\d{1,9})([.)])/y;
const ATX = /#{1,6}(?:[ \t]|$)/y;
const SETEXT = /(?:=+|-+)[ \t]*$/y;

const isSpaceOrTab = (c: string | undefined) => c === ' ' || c === '\t';
const blankText = (s: string) => !/[^ \t\n]/.test(s);

/** Whether `line` from `at` is a thematic break: three or more of one of `*-_`, spaces and tabs between. */
function isRule(line: string, at: number): boolean {
  const c = line[at];
  if (c !== '*' && c !== '-' && c !== '_') return false;
  let count = 0;
  for (let i = at; i < line.length; i++) {
    if (line[i] === c) count++;
    else if (!isSpaceOrTab(line[i])) return false;
  }
  return count >= 3;
}

/** Splits a table row into its cells: at `|` not escaped, the outer pipes dropped, `\|` kept for inline parsing to unescape. */
export function tableCells(line: string): string[] {
  const cells: string[] = [];
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  let cell = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && s[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  // A trailing pipe ends the last cell rather than starting an empty one.
  if (cell.trim() || !s.endsWith('|') || s.endsWith('\\|')) cells.push(cell.trim());
  return cells;
}

/** The alignments of a delimiter row (`| :-- | :-: | --: |`), or undefined if it is not one. */
function delimiterRow(line: string): Align[] | undefined {
  if (!line.includes('|')) return undefined;
  const align: Align[] = [];
  for (const cell of tableCells(line)) {
    if (!/^:?-+:?$/.test(cell)) return undefined;
    align.push(cell.endsWith(':') ? (cell.startsWith(':') ? 'center' : 'right') : cell.startsWith(':') ? 'left' : '');
  }
  return align.length ? align : undefined;
}

const newBlock = (type: Block['type'], parent: Block | undefined, line: number): Block => {
  const depth = parent ? parent.depth + 1 : 0;
  return {
    type,
    key: `${line}.${depth}`,
    open: true,
    parent,
    children: [],
    lines: [],
    depth,
    startLine: line,
    endLine: line,
  };
};

const canContain = (parent: Block['type'], child: Block['type']) =>
  parent === 'list'
    ? child === 'item'
    : (parent === 'document' || parent === 'quote' || parent === 'item') && child !== 'item';

const acceptsLines = (type: Block['type']) => type === 'paragraph' || type === 'code';

export class BlockParser {
  doc: Block = newBlock('document', undefined, 0);
  /** Link reference definitions found so far. */
  defs: Definitions = new Map();
  private tip: Block = this.doc;
  private oldTip: Block = this.doc;
  private lastMatched: Block = this.doc;
  private lineNumber = 0;
  private current = '';
  private offset = 0;
  private column = 0;
  private nextNonspace = 0;
  private nextNonspaceColumn = 0;
  private indent = 0;
  private indented = false;
  private blank = false;
  private partiallyConsumedTab = false;
  private allClosed = true;
  /** Set on a preview's parser: what it opens is tentative. */
  private tentative = false;

  /** Parses one complete line (without its line break). */
  line(text: string): void {
    let container = this.doc;
    this.oldTip = this.tip;
    this.offset = this.column = 0;
    this.blank = this.partiallyConsumedTab = false;
    this.lineNumber++;
    this.current = text.includes('\0') ? text.replace(/\0/g, '\ufffd') : text;

    // Each open block the line continues.
    for (let last = container.children.at(-1); last?.open; last = container.children.at(-1)) {
      container = last;
      this.findNextNonspace();
      const result = this.continues(container);
      if (result === 2) return; // a closing code fence: the line is used up
      if (result === 1) {
        container = container.parent!;
        break;
      }
    }
    this.allClosed = container === this.oldTip;
    this.lastMatched = container;

    // New blocks it starts.
    let matchedLeaf = container.type === 'code';
    while (!matchedLeaf) {
      this.findNextNonspace();
      if (!this.indented && !/[#`~*+_=>0-9|:-]/.test(this.current[this.nextNonspace] ?? '')) {
        this.advanceNextNonspace();
        break;
      }
      const started = this.startBlock(container);
      if (!started) {
        this.advanceNextNonspace();
        break;
      }
      container = this.tip;
      if (started === 2) matchedLeaf = true;
    }

    // What is left of the line is text.
    if (!this.allClosed && !this.blank && this.tip.type === 'paragraph') {
      this.addLine(); // a lazy continuation line
    } else {
      this.closeUnmatched();
      if (acceptsLines(container.type)) this.addLine();
      else if (container.type === 'table' && this.offset < this.current.length && !this.blank)
        container.rows!.push(this.row(container));
      else if (this.offset < this.current.length && !this.blank) {
        this.addChild('paragraph');
        this.advanceNextNonspace();
        this.addLine();
      }
    }
  }

  /** The end of the text: every block is closed. */
  finish(): void {
    while (this.tip !== this.doc) this.finalize(this.tip, this.lineNumber);
    this.finalize(this.doc, this.lineNumber);
  }

  /**
   * The document with `tail` taken as its next line, for showing while it streams: the open
   * blocks are copied (marked `tentative`), the parser itself does not change.
   */
  preview(tail: string): Block {
    const copy = Object.assign(Object.create(BlockParser.prototype) as BlockParser, this);
    copy.defs = new Map(this.defs);
    copy.tentative = true;
    copy.doc = copyBlock(this.doc, undefined);
    let original = this.doc;
    let block = copy.doc;
    for (let last = original.children.at(-1); last?.open; last = original.children.at(-1)) {
      const child = copyBlock(last, block);
      block.children[block.children.length - 1] = child;
      original = last;
      block = child;
    }
    copy.tip = block;
    copy.line(tail);
    return copy.doc;
  }

  // ---- the parts of a line ----

  private findNextNonspace(): void {
    const line = this.current;
    let i = this.offset;
    let cols = this.column;
    let c: string | undefined;
    while ((c = line[i]) !== undefined) {
      if (c === ' ') {
        i++;
        cols++;
      } else if (c === '\t') {
        i++;
        cols += 4 - (cols % 4);
      } else break;
    }
    this.blank = c === undefined;
    this.nextNonspace = i;
    this.nextNonspaceColumn = cols;
    this.indent = cols - this.column;
    this.indented = this.indent >= CODE_INDENT;
  }

  private advanceNextNonspace(): void {
    this.offset = this.nextNonspace;
    this.column = this.nextNonspaceColumn;
    this.partiallyConsumedTab = false;
  }

  /** Moves on `count` characters, or columns when `columns` (a tab may be partly used). */
  private advanceOffset(count: number, columns: boolean): void {
    const line = this.current;
    let c: string | undefined;
    while (count > 0 && (c = line[this.offset]) !== undefined) {
      if (c === '\t') {
        const toTab = 4 - (this.column % 4);
        if (columns) {
          this.partiallyConsumedTab = toTab > count;
          const advance = Math.min(toTab, count);
          this.column += advance;
          this.offset += this.partiallyConsumedTab ? 0 : 1;
          count -= advance;
        } else {
          this.partiallyConsumedTab = false;
          this.column += toTab;
          this.offset++;
          count--;
        }
      } else {
        this.partiallyConsumedTab = false;
        this.offset++;
        this.column++;
        count--;
      }
    }
  }

  private addLine(): void {
    let text = this.current.slice(this.offset);
    if (this.partiallyConsumedTab) {
      this.offset++;
      text = ' '.repeat(4 - (this.column % 4)) + this.current.slice(this.offset);
    }
    const tip = this.tip;
    if (tip.infoPending) {
      tip.infoPending = false;
      tip.info = unescapeString(text.trim());
    } else tip.lines.push(text);
  }

  private addChild(type: Block['type']): Block {
    while (!canContain(this.tip.type, type)) this.finalize(this.tip, this.lineNumber - 1);
    const block = newBlock(type, this.tip, this.lineNumber);
    if (this.tentative) block.tentative = true;
    this.tip.children.push(block);
    this.tip = block;
    return block;
  }

  private closeUnmatched(): void {
    if (this.allClosed) return;
    while (this.oldTip !== this.lastMatched) {
      const parent = this.oldTip.parent!;
      this.finalize(this.oldTip, this.lineNumber - 1);
      this.oldTip = parent;
    }
    this.allClosed = true;
  }

  private finalize(block: Block, line: number): void {
    block.open = false;
    block.endLine = line;
    const parent = block.parent;
    switch (block.type) {
      case 'paragraph': {
        if (block.lines[0]?.startsWith('[')) {
          const text = block.lines.join('\n');
          const used = parseDefinitions(text, this.defs);
          if (used) {
            const rest = text.slice(used);
            if (blankText(rest)) parent!.children.splice(parent!.children.lastIndexOf(block), 1);
            else block.lines = rest.split('\n');
          }
        }
        break;
      }
      case 'code':
        if (!block.fence) {
          while (block.lines.length && blankText(block.lines.at(-1)!)) block.lines.pop();
        }
        break;
      case 'item':
        block.endLine = block.children.at(-1)?.endLine ?? block.startLine;
        break;
      case 'list': {
        const items = block.children;
        block.list!.tight = !items.some((item, i) => {
          const gapAfter = (b: Block, next: Block | undefined) =>
            next !== undefined && b.endLine !== next.startLine - 1;
          return (
            gapAfter(item, items[i + 1]) || item.children.some((child, j) => gapAfter(child, item.children[j + 1]))
          );
        });
        block.endLine = items.at(-1)?.endLine ?? block.endLine;
        break;
      }
    }
    if (parent) this.tip = parent;
  }

  /** Continues the open block `block` on this line: 0 yes, 1 no, 2 yes and the line is used up. */
  private continues(block: Block): 0 | 1 | 2 {
    const line = this.current;
    switch (block.type) {
      case 'quote':
        if (this.indented || line[this.nextNonspace] !== '>') return 1;
        this.advanceNextNonspace();
        this.advanceOffset(1, false);
        if (isSpaceOrTab(line[this.offset])) this.advanceOffset(1, true);
        return 0;
      case 'item': {
        const { markerOffset, padding } = block.list!;
        if (this.blank) {
          if (!block.children.length) return 1; // a blank line after an empty item ends it
          this.advanceNextNonspace();
        } else if (this.indent >= markerOffset + padding) this.advanceOffset(markerOffset + padding, true);
        else return 1;
        return 0;
      }
      case 'heading':
      case 'rule':
        return 1;
      case 'code': {
        const fence = block.fence;
        if (fence) {
          if (this.indent <= 3 && line[this.nextNonspace] === fence.char) {
            let end = this.nextNonspace;
            while (line[end] === fence.char) end++;
            if (end - this.nextNonspace >= fence.length && blankText(line.slice(end))) {
              this.finalize(block, this.lineNumber);
              return 2;
            }
          }
          for (let i = fence.offset; i > 0 && isSpaceOrTab(line[this.offset]); i--) this.advanceOffset(1, true);
        } else if (this.indent >= CODE_INDENT) this.advanceOffset(CODE_INDENT, true);
        else if (this.blank) this.advanceNextNonspace();
        else return 1;
        return 0;
      }
      case 'paragraph':
      case 'table':
        return this.blank ? 1 : 0;
      default:
        return 0;
    }
  }

  /** Starts a block at this point of the line, in `container`: 0 none, 1 a container, 2 a leaf. */
  private startBlock(container: Block): 0 | 1 | 2 {
    const line = this.current;
    const at = this.nextNonspace;
    const c = line[at];
    const nestable = container.depth < MAX_NESTING;
    if (!this.indented) {
      if (c === '>' && nestable) {
        this.advanceNextNonspace();
        this.advanceOffset(1, false);
        if (isSpaceOrTab(line[this.offset])) this.advanceOffset(1, true);
        this.closeUnmatched();
        this.addChild('quote');
        return 1;
      }
      ATX.lastIndex = at;
      const atx = c === '#' && ATX.exec(line);
      if (atx) {
        this.advanceNextNonspace();
        this.advanceOffset(atx[0].length, false);
        this.closeUnmatched();
        const heading = this.addChild('heading');
        heading.level = atx[0].trim().length;
        heading.lines.push(headingText(line.slice(this.offset)));
        this.advanceOffset(line.length - this.offset, false);
        return 2;
      }
      if (c === '`' || c === '~') {
        let end = at;
        while (line[end] === c) end++;
        if (end - at >= 3 && (c === '~' || !line.includes('`', end))) {
          this.closeUnmatched();
          const code = this.addChild('code');
          code.fence = { char: c, length: end - at, offset: this.indent };
          code.infoPending = true;
          this.advanceNextNonspace();
          this.advanceOffset(end - at, false);
          return 2;
        }
      }
      if (container.type === 'paragraph') {
        // A table: the paragraph's last line is its header, this line the delimiter row.
        const align = c === '|' || c === ':' || c === '-' ? delimiterRow(line.slice(at)) : undefined;
        const head = align && tableCells(container.lines.at(-1)!);
        if (align && head && head.length === align.length && !container.lines[0]!.startsWith('[')) {
          this.closeUnmatched();
          const parent = container.parent!;
          container.lines.pop();
          if (container.lines.length) this.finalize(container, this.lineNumber - 2);
          else parent.children.pop();
          this.tip = parent;
          const table = this.addChild('table');
          table.startLine = this.lineNumber - 1;
          table.key = `${table.startLine}.${table.depth}`;
          Object.assign(table, { align, head, rows: [] });
          this.advanceOffset(line.length - this.offset, false);
          return 2;
        }
        SETEXT.lastIndex = at;
        if ((c === '=' || c === '-') && SETEXT.test(line)) {
          this.closeUnmatched();
          const text = container.lines.join('\n');
          const used = text.startsWith('[') ? parseDefinitions(text, this.defs) : 0;
          if (!blankText(text.slice(used))) {
            Object.assign(container, { type: 'heading', level: c === '=' ? 1 : 2, lines: [text.slice(used)] });
            this.advanceOffset(line.length - this.offset, false);
            return 2;
          }
        }
      }
      if (isRule(line, at)) {
        this.closeUnmatched();
        this.addChild('rule');
        this.advanceOffset(line.length - this.offset, false);
        return 2;
      }
    }
    if ((!this.indented || container.type === 'list') && nestable) {
      const data = this.listMarker(container);
      if (data) {
        this.closeUnmatched();
        const tip = this.tip;
        if (tip.type !== 'list' || tip.list!.ordered !== data.ordered || tip.list!.marker !== data.marker) {
          this.addChild('list').list = data;
        }
        this.addChild('item').list = data;
        return 1;
      }
    }
    if (this.indented && this.tip.type !== 'paragraph' && !this.blank) {
      this.advanceOffset(CODE_INDENT, true);
      this.closeUnmatched();
      this.addChild('code');
      return 2;
    }
    return 0;
  }

  /** A list marker here: its data, with the line advanced past it and its padding. */
  private listMarker(container: Block): ListData | undefined {
    if (this.indent >= 4) return undefined;
    const line = this.current;
    const at = this.nextNonspace;
    const c = line[at];
    let length = 1;
    let data: ListData = { ordered: false, marker: c!, start: 1, tight: true, markerOffset: this.indent, padding: 0 };
    if (c !== '*' && c !== '+' && c !== '-') {
      ORDERED.lastIndex = at;
      const ordered = ORDERED.exec(line);
      // Interrupting a paragraph, an ordered list starts at 1.
      if (!ordered || (container.type === 'paragraph' && ordered[1] !== '1')) return undefined;
      length = ordered[0].length;
      data = { ...data, ordered: true, marker: ordered[2]!, start: Number(ordered[1]) };
    }
    const next = line[at + length];
    if (next !== undefined && next !== ' ' && next !== '\t') return undefined;
    // Interrupting a paragraph, an item must not be empty.
    if (container.type === 'paragraph' && blankText(line.slice(at + length))) return undefined;
    this.advanceNextNonspace();
    this.advanceOffset(length, true);
    const spacesColumn = this.column;
    const spacesOffset = this.offset;
    do this.advanceOffset(1, true);
    while (this.column - spacesColumn < 5 && isSpaceOrTab(line[this.offset]));
    const blankItem = line[this.offset] === undefined;
    const spaces = this.column - spacesColumn;
    if (spaces >= 5 || spaces < 1 || blankItem) {
      // Code or nothing after the marker: the content starts one space after it.
      data.padding = length + 1;
      this.column = spacesColumn;
      this.offset = spacesOffset;
      if (isSpaceOrTab(line[this.offset])) this.advanceOffset(1, true);
    } else data.padding = length + spaces;
    return data;
  }

  /** A table body row from the rest of the line, as many cells as the header. */
  private row(table: Block): string[] {
    const cells = tableCells(this.current.slice(this.offset));
    return table.head!.map((_, i) => cells[i] ?? '');
  }
}

/** An ATX heading's text: without the closing run of `#` (when spaces precede it) and outer spaces. */
function headingText(rest: string): string {
  let end = rest.length;
  while (end > 0 && isSpaceOrTab(rest[end - 1])) end--;
  let hashes = end;
  while (hashes > 0 && rest[hashes - 1] === '#') hashes--;
  if (hashes < end && (hashes === 0 || isSpaceOrTab(rest[hashes - 1]))) end = hashes;
  return rest.slice(0, end).trim();
}

function copyBlock(block: Block, parent: Block | undefined): Block {
  return {
    ...block,
    parent,
    tentative: true,
    fixedLines: block.type === 'table' ? block.rows!.length : block.lines.length,
    children: block.children.slice(),
    lines: block.lines.slice(),
    rows: block.rows?.slice(),
    list: block.list && { ...block.list },
  };
}
