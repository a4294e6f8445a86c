import { type Block, BlockParser } from './blocks.ts';
import type { Definitions } from './inline.ts';

/**
 * The text of one streaming markdown message, parsed as it grows: each complete line goes through
 * the block parser once, when it arrives, so `append` costs the length of the delta, never the
 * length of the message. The unfinished last line is only previewed (`document()`), and once the
 * message is finished (`close()`) its last line is parsed as closed like any other.
 */
export class MarkdownSource {
  /** Bumped by `replace` when the text was rewritten rather than extended. */
  generation = 0;
  private parser = new BlockParser();
  private full = '';
  /** The unfinished last line. */
  private tail = '';
  private closed = false;

  constructor(text = '') {
    this.append(text);
  }

  get text(): string {
    return this.full;
  }

  /** Link reference definitions found so far. */
  get defs(): Definitions {
    return this.parser.defs;
  }

  /** Whether the message is finished. */
  get done(): boolean {
    return this.closed;
  }

  append(delta: string): void {
    if (!delta) return;
    if (this.closed) return this.replace(this.full + delta);
    this.full += delta;
    let start = 0;
    for (let end = delta.indexOf('\n'); end !== -1; end = delta.indexOf('\n', start)) {
      const line = this.tail + delta.slice(start, end);
      this.parser.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      this.tail = '';
      start = end + 1;
    }
    this.tail += delta.slice(start);
  }

  /** Sets the whole text: a cheap append when it extends the current text, a new parse otherwise. */
  replace(text: string): void {
    if (text === this.full) return;
    if (!this.closed && text.startsWith(this.full)) return this.append(text.slice(this.full.length));
    const closed = this.closed;
    this.parser = new BlockParser();
    this.full = this.tail = '';
    this.closed = false;
    this.generation++;
    this.append(text);
    if (closed) this.close();
  }

  /** The message is finished: its last line is complete, every block closed. */
  close(): void {
    if (this.closed) return;
    if (this.tail) this.parser.line(this.tail);
    this.tail = '';
    this.parser.finish();
    this.closed = true;
  }

  /** The document to show now: the unfinished line, if any, as if it were complete. */
  document(): Block {
    return this.tail ? this.parser.preview(this.tail) : this.parser.doc;
  }

  /** Serialised as its text (the transcript is stored as JSON). */
  toJSON(): string {
    return this.full;
  }
}
