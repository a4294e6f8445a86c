import { FENCE, closesFence } from './parse.ts';

/** An unindented ATX heading: always a block of its own. */
const HEADING = /^#{1,6}(\s|$)/;

/**
 * The text of one streaming markdown message, cut into chunks as it grows so that a renderer
 * only ever re-parses the last one. A chunk closes at a blank line outside a fence, around a
 * heading line, and around an unindented fenced code block — points after which nothing that
 * follows can change how the chunk reads. Closed chunks never change again.
 *
 * `append` costs the length of the delta (plus the last incomplete line), never the length of
 * the message, and `closed.join('') + open` is always exactly the text appended.
 */
export class MarkdownSource {
  /** Finished chunks, each ending with its line break(s). */
  readonly closed: string[] = [];
  /** The chunk still growing. */
  open = '';
  /** Bumped by `replace` when the text was rewritten rather than extended. */
  generation = 0;
  /** Inside a fence: its marker; `indented` fences (inside a list item, say) never cut chunks. */
  private fence: { marker: string; indented: boolean } | undefined;
  /** How far into `open` complete lines have been looked at. */
  private scanned = 0;

  constructor(text = '') {
    this.append(text);
  }

  get text(): string {
    return this.closed.join('') + this.open;
  }

  append(delta: string): void {
    // Only the new text can hold a line break not yet seen: a long line costs nothing per delta.
    let from = this.open.length;
    this.open += delta;
    for (let end = this.open.indexOf('\n', from); end !== -1; end = this.open.indexOf('\n', from)) {
      const start = this.scanned;
      this.scanned = end + 1;
      this.line(this.open.slice(start, end), start);
      from = this.scanned;
    }
  }

  /** Sets the whole text: a cheap append when it extends the current text, a rewrite otherwise. */
  replace(text: string): void {
    const current = this.text;
    if (text === current) return;
    if (text.startsWith(current)) return this.append(text.slice(current.length));
    this.closed.length = 0;
    this.open = '';
    this.fence = undefined;
    this.scanned = 0;
    this.generation++;
    this.append(text);
  }

  /** Serialised as its text (the transcript is stored as JSON). */
  toJSON(): string {
    return this.text;
  }

  /** Looks at the complete line `line` that starts at `start` in `open`. */
  private line(line: string, start: number): void {
    if (this.fence) {
      if (closesFence(line, this.fence.marker)) {
        if (!this.fence.indented) this.cut(this.scanned);
        this.fence = undefined;
      }
      return;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const indented = fence[1] !== '';
      if (!indented) this.cut(start);
      this.fence = { marker: fence[2]!, indented };
    } else if (!line.trim()) {
      this.cut(this.scanned);
    } else if (HEADING.test(line)) {
      this.cut(start);
      this.cut(this.scanned);
    }
  }

  /** Closes the chunk at `at` (an index into `open`), unless that leaves only blank lines behind. */
  private cut(at: number): void {
    const chunk = this.open.slice(0, at);
    if (!chunk.trim()) return;
    this.closed.push(chunk);
    this.open = this.open.slice(at);
    this.scanned -= at;
  }
}
