/**
 * Inline markdown: CommonMark's inlines (code spans, emphasis, links, images, autolinks, escapes,
 * character references, line breaks) plus GFM's strikethrough and bare URLs. Raw HTML stays text.
 *
 * Linear in the input and in bounded stack for every input, after cmark: the delimiter algorithm
 * with its bottom-of-stack table (no closer looks at the same opener twice), nodes in linked lists
 * (wrapping a run of siblings moves a pointer, not an array), a link opener is inactive once a link
 * formed after it (a counter, not a walk down the stack), backtick runs remembered once the whole
 * text has been searched, link destinations' parentheses nested at most 32 deep, labels at most
 * 999 characters, and no regular expression that can backtrack over unbounded input.
 */

export type Inline =
  | string
  | { t: 'code'; text: string }
  | { t: 'br' }
  | { t: 'em' | 'strong' | 'del'; c: Inline[] }
  /** `dest` is the destination as written (unescaped); whether it may be followed is the renderer's call. */
  | { t: 'link' | 'img'; dest: string; title: string; c: Inline[] };

export interface LinkDefinition {
  dest: string;
  title: string;
}

/** Link reference definitions by normalized label. */
export type Definitions = Map<string, LinkDefinition>;

export interface InlineResult {
  nodes: Inline[];
  /**
   * The length of the longest prefix that nothing after it can change: at its end (a word or line
   * start) no emphasis opener, link opener or backtick run is left waiting for a closer. Parsing the
   * prefix alone gives the same nodes, and so does parsing the rest alone.
   */
  settled: number;
  /** Labels of `[x]`, `[x][y]`, `[x][]` that found no definition (one may still come). */
  missing: Set<string>;
  /** What would close, at the end, the emphasis still open there (`**` for `**bold te`), innermost first. */
  closers: string;
  /** The first backtick run that found no closer (a code span still being written). */
  openTicks: string;
}

/** Deeper inline nesting than this renders as plain text (the nesting is the model's, not ours). */
export const MAX_INLINE_DEPTH = 24;
const MAX_LABEL = 999;
const MAX_PARENS = 32;
const MAX_BACKTICKS = 1000;

const ESCAPABLE = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/;
/** The characters that may start something other than text. */
const SPECIAL = /[\n\\`*_~[\]!<&hHwW]/g;
/** A few named references models write; others stay as typed (the full table, 2,125 names, is 11.6 KB gzip -9: more than the parser). */
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  times: '×',
  divide: '÷',
  deg: '°',
  plusmn: '±',
  middot: '·',
  bull: '•',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  harr: '↔',
  ne: '≠',
  le: '≤',
  ge: '≥',
  infin: '∞',
  check: '✓',
};
const ENTITY = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: CommonMark's URI autolinks exclude ASCII control characters.
const URI_AUTOLINK = /<([A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>\x00-\x1f]*)>/y;
const EMAIL_AUTOLINK =
  /<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>/y;
/** The start of a GFM extended autolink; the rest is found by hand. */
const BARE_URL_SCHEME = /https?:\/\/|www\./iy;

const isSpace = (c: string | undefined) => c === undefined || WHITESPACE.test(c);
const isPunct = (c: string | undefined) => c !== undefined && PUNCTUATION.test(c);

/** Label normalization: case-folded, inner whitespace collapsed (CommonMark's link label matching). */
export function normalizeLabel(label: string): string {
  return label
    .trim()
    .replace(/[ \t\r\n]+/g, ' ')
    .toLowerCase()
    .toUpperCase();
}

/** Replaces backslash escapes and character references in a destination, title or code-free text. */
export function unescapeString(s: string): string {
  if (!s.includes('\\') && !s.includes('&')) return s;
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '\\' && ESCAPABLE.includes(s[i + 1] ?? 'x')) {
      out += s[i + 1];
      i += 2;
    } else if (c === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(s);
      const decoded = m ? decodeEntity(m) : undefined;
      if (decoded !== undefined) {
        out += decoded;
        i = ENTITY.lastIndex;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function decodeEntity(m: RegExpExecArray): string | undefined {
  if (m[3] !== undefined) return NAMED[m[3]];
  const code = parseInt(m[1] ?? m[2]!, m[1] ? 16 : 10);
  return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);
}

/* ---- nodes in linked lists while parsing ---- */

interface Node {
  t: 'text' | 'code' | 'br' | 'em' | 'strong' | 'del' | 'link' | 'img';
  text: string;
  dest?: string;
  title?: string;
  /** The text of a delimiter run or a bracket: kept apart, as the delimiter algorithm may take from it. */
  mark?: boolean;
  parent?: Node;
  prev?: Node;
  next?: Node;
  first?: Node;
  last?: Node;
}

const node = (t: Node['t'], text = ''): Node => ({ t, text });

function append(parent: Node, child: Node): void {
  child.parent = parent;
  child.prev = parent.last;
  child.next = undefined;
  if (parent.last) parent.last.next = child;
  else parent.first = child;
  parent.last = child;
}

function unlink(n: Node): void {
  if (n.prev) n.prev.next = n.next;
  else if (n.parent) n.parent.first = n.next;
  if (n.next) n.next.prev = n.prev;
  else if (n.parent) n.parent.last = n.prev;
  n.parent = n.prev = n.next = undefined;
}

function insertAfter(at: Node, n: Node): void {
  n.parent = at.parent;
  n.prev = at;
  n.next = at.next;
  if (at.next) at.next.prev = n;
  else if (at.parent) at.parent.last = n;
  at.next = n;
}

interface Delimiter {
  c: string;
  count: number;
  original: number;
  node: Node;
  canOpen: boolean;
  canClose: boolean;
  prev?: Delimiter;
  next?: Delimiter;
  /** Order of appearance: the bottom-of-stack table holds these, as removed delimiters stay comparable. */
  id: number;
  /** Already looked at as a closer (by an earlier, partial pass). */
  seen?: boolean;
}

interface Bracket {
  node: Node;
  prev?: Bracket;
  prevDelimiter?: Delimiter;
  /** Index just after the `[`. */
  index: number;
  image: boolean;
  /** Links formed before this opener was pushed: any formed since lie inside its text. */
  links: number;
  /** Whether another `[` came after it (then it cannot be a shortcut reference). */
  bracketAfter: boolean;
}

class InlineParser {
  private readonly s: string;
  private readonly defs: Definitions;
  private pos = 0;
  private delimiters: Delimiter | undefined;
  private brackets: Bracket | undefined;
  private links = 0;
  /** The bottom-of-stack table for the paragraph-level pass, kept between partial passes. */
  private readonly bottoms = new Map<string, number>();
  private delimiterCount = 0;
  /** Backtick run lengths: where the last run of each length was seen, once the text has been searched to its end. */
  private readonly backticks = new Map<number, number>();
  private searchedBackticks = false;
  /** A backtick run found no closer: nothing after it is settled. */
  private unclosedTicks = false;
  /** The end of the word a bare URL was last looked for in. */
  private wordEnd = 0;
  settled = 0;
  readonly missing = new Set<string>();
  /** What would close the emphasis still open at the end, innermost first. */
  closers = '';
  /** The first backtick run without a closer. */
  openTicks = '';

  constructor(s: string, defs: Definitions) {
    this.s = s;
    this.defs = defs;
  }

  parse(): Node {
    const root = node('em');
    while (this.pos < this.s.length) this.step(root);
    this.processEmphasis(undefined, false);
    for (let d = this.delimiters; d; d = d.prev)
      if (d.canOpen && d.count && d.c !== '~') this.closers += d.c.repeat(d.count);
    this.processEmphasis(undefined, true);
    return root;
  }

  private text(parent: Node, text: string): void {
    const last = parent.last;
    // Adjacent text merges (fewer nodes to render), but never into a delimiter's or bracket's own node.
    if (last?.t === 'text' && !last.mark) last.text += text;
    else append(parent, node('text', text));
  }

  private step(parent: Node): void {
    const s = this.s;
    const c = s[this.pos]!;
    switch (c) {
      case '\n':
        return this.newline(parent);
      case '\\':
        return this.backslash(parent);
      case '`':
        return this.backtick(parent);
      case '*':
      case '_':
      case '~':
        return this.delimiter(parent, c);
      case '[':
        this.pushBracket(parent, false, 1);
        return;
      case '!':
        if (s[this.pos + 1] === '[') return this.pushBracket(parent, true, 2);
        break;
      case ']':
        return this.closeBracket(parent);
      case '<':
        if (this.autolink(parent)) return;
        break;
      case '&':
        if (this.entity(parent)) return;
        break;
      default:
        if (this.bareUrl(parent)) return;
    }
    // Plain text up to the next character that may start something.
    SPECIAL.lastIndex = this.pos + 1;
    let end = s.length;
    for (let m = SPECIAL.exec(s); m; m = SPECIAL.exec(s)) {
      const ch = m[0];
      // h and w only matter at the start of a word (a bare URL).
      if (/[hHwW]/.test(ch) && /[A-Za-z0-9]/.test(s[m.index - 1]!)) continue;
      end = m.index;
      break;
    }
    const from = this.pos;
    let chunk = s.slice(from, end);
    this.pos = end;
    if (s[end] === '\n') {
      // Spaces before a line break are not text: two or more make it a hard break.
      let keep = chunk.length;
      while (keep && chunk[keep - 1] === ' ') keep--;
      const trimmed = chunk.slice(0, keep);
      if (chunk.length - keep >= 2) {
        if (trimmed) this.text(parent, trimmed);
        append(parent, node('br'));
        this.pos++;
        this.afterLineBreak();
        return;
      }
      chunk = trimmed;
    }
    if (chunk) {
      this.text(parent, chunk);
      // The start of the chunk's last word may be a point where everything before it is settled.
      const space = chunk.lastIndexOf(' ');
      if (space >= 0 && space < chunk.length - 1) this.settle(from + space + 1);
    }
  }

  /** Notes `at` as settled if nothing before it still waits for a closer. */
  private settle(at: number): void {
    if (this.brackets || this.unclosedTicks) return;
    this.processEmphasis(undefined, false);
    if (!this.delimiters) this.settled = at;
  }

  private newline(parent: Node): void {
    this.text(parent, '\n');
    this.pos++;
    this.afterLineBreak();
  }

  /** After a line break: skips the next line's indent; all before it may be settled. */
  private afterLineBreak(): void {
    while (this.s[this.pos] === ' ' || this.s[this.pos] === '\t') this.pos++;
    if (this.pos < this.s.length) this.settle(this.pos);
  }

  private backslash(parent: Node): void {
    const next = this.s[this.pos + 1];
    if (next === '\n') {
      append(parent, node('br'));
      this.pos += 2;
      this.afterLineBreak();
    } else if (next !== undefined && ESCAPABLE.includes(next)) {
      this.text(parent, next);
      this.pos += 2;
    } else {
      this.text(parent, '\\');
      this.pos++;
    }
  }

  private backtick(parent: Node): void {
    const s = this.s;
    const start = this.pos;
    let i = start;
    while (s[i] === '`') i++;
    const length = i - start;
    const close = this.closingBackticks(i, length);
    if (close < 0) {
      this.unclosedTicks = true;
      this.openTicks ||= s.slice(start, i);
      this.text(parent, s.slice(start, i));
      this.pos = i;
      return;
    }
    let code = s.slice(i, close).replace(/\n/g, ' ');
    if (code.length > 2 && code[0] === ' ' && code.at(-1) === ' ' && code.trim()) code = code.slice(1, -1);
    else if (code.length === 2 && code === '  ') code = '  ';
    const n = node('code', code);
    append(parent, n);
    this.pos = close + length;
  }

  /** Index of the next run of exactly `length` backticks at or after `from`, or -1. Linear overall (cmark's method). */
  private closingBackticks(from: number, length: number): number {
    if (length > MAX_BACKTICKS) return -1;
    if (this.searchedBackticks && (this.backticks.get(length) ?? -1) < from) return -1;
    const s = this.s;
    for (let j = s.indexOf('`', from); j !== -1; j = s.indexOf('`', j)) {
      let k = j;
      while (s[k] === '`') k++;
      this.backticks.set(k - j, j);
      if (k - j === length) return j;
      j = k;
    }
    this.searchedBackticks = true;
    return -1;
  }

  private delimiter(parent: Node, c: string): void {
    const s = this.s;
    const start = this.pos;
    let i = start;
    while (s[i] === c) i++;
    const count = i - start;
    const before = start === 0 ? '\n' : s[start - 1];
    const after = s[i] ?? '\n';
    const leftFlanking = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
    const rightFlanking = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
    let canOpen = leftFlanking;
    let canClose = rightFlanking;
    if (c === '_') {
      canOpen = leftFlanking && (!rightFlanking || isPunct(before));
      canClose = rightFlanking && (!leftFlanking || isPunct(after));
    } else if (c === '~' && count > 2) {
      canOpen = canClose = false;
    }
    this.pos = i;
    const n = node('text', s.slice(start, i));
    append(parent, n);
    if (!canOpen && !canClose) return;
    n.mark = true;
    const d: Delimiter = {
      c,
      count,
      original: count,
      node: n,
      canOpen,
      canClose,
      prev: this.delimiters,
      id: ++this.delimiterCount,
    };
    if (this.delimiters) this.delimiters.next = d;
    this.delimiters = d;
  }

  private removeDelimiter(d: Delimiter): void {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.delimiters = d.prev;
  }

  /**
   * The delimiter algorithm over the closers above `bottom`. `all` ends the pass (every delimiter
   * left is text); otherwise it is a partial pass at a line break with no link opener open, and the
   * openers still waiting stay for later closers. Each closer is looked at once.
   */
  private processEmphasis(bottom: Delimiter | undefined, all: boolean): void {
    const bottoms = bottom === undefined ? this.bottoms : new Map<string, number>();
    // The first closer not yet looked at.
    let closer = this.delimiters;
    while (closer?.prev && closer.prev !== bottom && !closer.prev.seen) closer = closer.prev;
    if (closer && (closer.seen || closer === bottom)) closer = closer.next;
    while (closer) {
      if (!closer.canClose) {
        closer.seen = true;
        closer = closer.next;
        continue;
      }
      const key = closer.c === '~' ? `~${closer.count}` : `${closer.c}${closer.canOpen ? 1 : 0}${closer.original % 3}`;
      // Openers at or below the floor were tried for this kind of closer already, and failed.
      const floor = bottoms.get(key) ?? 0;
      let opener = closer.prev;
      let found = false;
      while (opener && opener !== bottom && opener.id > floor) {
        const oddMatch =
          (closer.canOpen || opener.canClose) &&
          closer.original % 3 !== 0 &&
          (opener.original + closer.original) % 3 === 0;
        if (opener.c === closer.c && opener.canOpen && (closer.c === '~' ? opener.count === closer.count : !oddMatch)) {
          found = true;
          break;
        }
        opener = opener.prev;
      }
      const old = closer;
      if (found && opener) {
        const use = closer.c === '~' ? closer.count : closer.count >= 2 && opener.count >= 2 ? 2 : 1;
        const openerNode = opener.node;
        const closerNode = closer.node;
        opener.count -= use;
        closer.count -= use;
        openerNode.text = openerNode.text.slice(0, openerNode.text.length - use);
        closerNode.text = closerNode.text.slice(0, closerNode.text.length - use);
        const wrap = node(closer.c === '~' ? 'del' : use === 1 ? 'em' : 'strong');
        for (let n = openerNode.next; n && n !== closerNode; ) {
          const next = n.next;
          unlink(n);
          append(wrap, n);
          n = next;
        }
        insertAfter(openerNode, wrap);
        // Delimiters between the two are text now.
        opener.next = closer;
        closer.prev = opener;
        if (opener.count === 0) {
          unlink(openerNode);
          this.removeDelimiter(opener);
        }
        if (closer.count === 0) {
          unlink(closerNode);
          const next = closer.next;
          this.removeDelimiter(closer);
          closer = next;
        }
      } else {
        closer.seen = true;
        closer = closer.next;
      }
      if (!found) {
        bottoms.set(key, old.prev?.id ?? 0);
        if (!old.canOpen) this.removeDelimiter(old);
      }
    }
    if (all) while (this.delimiters && this.delimiters !== bottom) this.removeDelimiter(this.delimiters);
    else {
      // Only openers are left (a closer-only delimiter that found nothing went above), and all
      // below the first one seen were seen by earlier passes.
      for (let d = this.delimiters; d && d !== bottom && !d.seen; d = d.prev) d.seen = true;
    }
  }

  private pushBracket(parent: Node, image: boolean, length: number): void {
    const n = node('text', image ? '![' : '[');
    append(parent, n);
    n.mark = true;
    if (this.brackets) this.brackets.bracketAfter = true;
    this.brackets = {
      node: n,
      prev: this.brackets,
      prevDelimiter: this.delimiters,
      index: this.pos + length,
      image,
      links: this.links,
      bracketAfter: false,
    };
    this.pos += length;
  }

  private closeBracket(parent: Node): void {
    const s = this.s;
    const start = this.pos;
    this.pos++;
    const opener = this.brackets;
    if (!opener) {
      this.text(parent, ']');
      return;
    }
    if (!opener.image && opener.links < this.links) {
      // A link inside it formed already: links do not nest.
      this.brackets = opener.prev;
      this.text(parent, ']');
      return;
    }
    let dest: string | undefined;
    let title = '';
    let matched = false;
    // An inline link: (destination "title")
    if (s[this.pos] === '(') {
      const saved = this.pos;
      this.pos++;
      this.spaces();
      const d = this.destination();
      if (d !== undefined) {
        const beforeTitle = this.pos;
        this.spaces();
        const t = this.pos > beforeTitle ? this.title() : undefined;
        if (t === undefined) this.pos = beforeTitle;
        this.spaces();
        if (s[this.pos] === ')') {
          this.pos++;
          dest = d;
          title = t ?? '';
          matched = true;
        }
      }
      if (!matched) this.pos = saved;
    }
    if (!matched) {
      // A reference: [text][label], [text][] or [text].
      const beforeLabel = this.pos;
      const n = this.label();
      let label: string | undefined;
      if (n > 2) label = s.slice(beforeLabel + 1, beforeLabel + n - 1);
      else if (!opener.bracketAfter) label = s.slice(opener.index, start);
      if (n === 0) this.pos = beforeLabel;
      if (label !== undefined && label.length <= MAX_LABEL) {
        const key = normalizeLabel(label);
        const def = key ? this.defs.get(key) : undefined;
        if (def) {
          dest = def.dest;
          title = def.title;
          matched = true;
        } else if (key) this.missing.add(key);
      }
    }
    if (!matched) {
      this.brackets = opener.prev;
      this.pos = start + 1;
      this.text(parent, ']');
      return;
    }
    const link = node(opener.image ? 'img' : 'link');
    link.dest = dest!;
    link.title = title;
    for (let n = opener.node.next; n; ) {
      const next = n.next;
      unlink(n);
      append(link, n);
      n = next;
    }
    append(parent, link);
    this.processEmphasis(opener.prevDelimiter, true);
    unlink(opener.node);
    this.brackets = opener.prev;
    if (!opener.image) this.links++;
  }

  private spaces(): void {
    let newline = false;
    for (;;) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\n' && !newline) {
        newline = true;
        this.pos++;
      } else return;
    }
  }

  /** A link destination at `pos`: `<…>` or a run without spaces whose parentheses balance. */
  private destination(): string | undefined {
    const s = this.s;
    if (s[this.pos] === '<') {
      for (let i = this.pos + 1; i < s.length; i++) {
        const c = s[i];
        if (c === '\\' && ESCAPABLE.includes(s[i + 1] ?? 'x')) i++;
        else if (c === '>') {
          const d = unescapeString(s.slice(this.pos + 1, i));
          this.pos = i + 1;
          return d;
        } else if (c === '<' || c === '\n') return undefined;
      }
      return undefined;
    }
    let depth = 0;
    let i = this.pos;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\' && ESCAPABLE.includes(s[i + 1] ?? 'x')) i++;
      else if (c === '(') {
        if (++depth > MAX_PARENS) return undefined;
      } else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c <= ' ' || c === '\u007f') break;
    }
    // `[a]()`: an empty destination.
    if (i === this.pos) return s[i] === ')' ? '' : undefined;
    if (depth !== 0) return undefined;
    const d = unescapeString(s.slice(this.pos, i));
    this.pos = i;
    return d;
  }

  /** A link title at `pos`: "…", '…' or (…), escapes allowed, no blank line. */
  private title(): string | undefined {
    const s = this.s;
    const open = s[this.pos];
    const close = open === '(' ? ')' : open;
    if (open !== '"' && open !== "'" && open !== '(') return undefined;
    for (let i = this.pos + 1; i < s.length; i++) {
      const c = s[i];
      if (c === '\\' && ESCAPABLE.includes(s[i + 1] ?? 'x')) i++;
      else if (c === close) {
        const t = unescapeString(s.slice(this.pos + 1, i));
        this.pos = i + 1;
        return t;
      } else if (open === '(' && c === '(') return undefined;
      else if (c === '\n' && s[i + 1] === '\n') return undefined;
    }
    return undefined;
  }

  /** Length of a link label `[…]` at `pos` (0 if none); `pos` moves past it. */
  private label(): number {
    const end = labelEnd(this.s, this.pos);
    if (end < 0) return 0;
    const length = end - this.pos;
    this.pos = end;
    return length;
  }

  /**
   * Link reference definitions at the start of the text (`[label]: destination "title"`, one per
   * line, the title may span lines): adds them to the definitions, returns how many characters
   * they take.
   */
  definitions(): number {
    const s = this.s;
    let consumed = 0;
    while (s[this.pos] === '[') {
      const start = this.pos;
      if (!this.label() || s[this.pos] !== ':') break;
      const key = normalizeLabel(s.slice(start + 1, this.pos - 1));
      this.pos++;
      this.spaces();
      const dest = this.destination();
      if (dest === undefined) break;
      const beforeTitle = this.pos;
      this.spaces();
      let title = this.pos > beforeTitle ? this.title() : undefined;
      if (title === undefined || !this.lineEnds()) {
        // A title that is not alone on its line is not one: the definition may end with its destination.
        title = undefined;
        this.pos = beforeTitle;
        if (!this.lineEnds()) break;
      }
      if (!key) break;
      if (!this.defs.has(key)) this.defs.set(key, { dest, title: title ?? '' });
      consumed = this.pos;
    }
    return consumed;
  }

  /** Whether only spaces are left on this line; if so, moves past its end. */
  private lineEnds(): boolean {
    let i = this.pos;
    while (this.s[i] === ' ' || this.s[i] === '\t') i++;
    if (i < this.s.length && this.s[i] !== '\n') return false;
    this.pos = Math.min(i + 1, this.s.length);
    return true;
  }

  private autolink(parent: Node): boolean {
    for (const [pattern, mail] of [
      [URI_AUTOLINK, false],
      [EMAIL_AUTOLINK, true],
    ] as const) {
      pattern.lastIndex = this.pos;
      const m = pattern.exec(this.s);
      if (m) {
        const link = node('link');
        link.dest = (mail ? 'mailto:' : '') + m[1]!;
        link.title = '';
        append(link, node('text', m[1]!));
        append(parent, link);
        this.pos = pattern.lastIndex;
        return true;
      }
    }
    return false;
  }

  private entity(parent: Node): boolean {
    ENTITY.lastIndex = this.pos;
    const m = ENTITY.exec(this.s);
    const decoded = m ? decodeEntity(m) : undefined;
    if (decoded === undefined) return false;
    this.text(parent, decoded);
    this.pos = ENTITY.lastIndex;
    return true;
  }

  /**
   * A GFM extended autolink: `http://`, `https://` or `www.` at the start of a word, a domain with a
   * dot (no `_` in its last two parts), then anything up to a space, `<` or `>` (GFM stops only at
   * `<`: then `href="http://x.css">` would link `http://x.css">`), less trailing
   * punctuation (`?!.,:*_~'"`), unbalanced `)` and an entity-like `&x;` at the end. Each try looks at
   * no more than a domain's 253 characters: the end of the word is found once per word.
   */
  private bareUrl(parent: Node): boolean {
    const s = this.s;
    const start = this.pos;
    BARE_URL_SCHEME.lastIndex = start;
    const scheme = BARE_URL_SCHEME.exec(s);
    if (!scheme) return false;
    // `www.` starts a link at the start of a word or after `*_~(`; a scheme after anything but a letter or digit.
    const before = s[start - 1];
    if (before !== undefined && !(scheme[0].length === 4 ? /[\s*_~(]/ : /[^A-Za-z0-9]/).test(before)) return false;
    const host = scheme[0].length === 4 ? start : BARE_URL_SCHEME.lastIndex;
    let d = BARE_URL_SCHEME.lastIndex;
    while (d - host < 253 && /[A-Za-z0-9_.-]/.test(s[d] ?? ' ')) d++;
    const parts = s.slice(host, d).replace(/\.+$/, '').split('.');
    if (parts.length < 2 || parts.slice(-2).some((p) => !p || p.includes('_'))) return false;
    if (start >= this.wordEnd) {
      this.wordEnd = start;
      while (this.wordEnd < s.length && !/[\s<>]/.test(s[this.wordEnd]!)) this.wordEnd++;
    }
    let end = this.wordEnd;
    let parens = 0;
    for (let i = start; i < end; i++) parens += s[i] === '(' ? 1 : s[i] === ')' ? -1 : 0;
    for (;;) {
      const c = s[end - 1]!;
      if ('?!.,:*_~\'"'.includes(c)) end--;
      else if (c === ')' && parens < 0) {
        end--;
        parens++;
      } else if (c === ';') {
        let i = end - 2;
        while (i > start && /[A-Za-z0-9]/.test(s[i]!)) i--;
        if (s[i] !== '&' || i === end - 2) break;
        end = i;
      } else break;
    }
    if (end <= host) return false;
    const text = s.slice(start, end);
    const link = node('link');
    link.dest = scheme[0].length === 4 ? `http://${text}` : text;
    link.title = '';
    append(link, node('text', text));
    append(parent, link);
    this.pos = end;
    return true;
  }
}

/** The index just past a link label `[…]` at `at` in `s`, or -1. */
function labelEnd(s: string, at: number): number {
  if (s[at] !== '[') return -1;
  for (let i = at + 1; i < s.length && i - at <= MAX_LABEL + 1; i++) {
    const c = s[i];
    if (c === '\\' && ESCAPABLE.includes(s[i + 1] ?? 'x')) i++;
    else if (c === '[') return -1;
    else if (c === ']') return i + 1;
  }
  return -1;
}

/** Converts the linked tree to arrays, iteratively; nesting deeper than MAX_INLINE_DEPTH becomes its text. */
function toArrays(root: Node): Inline[] {
  const out: Inline[] = [];
  const stack: Array<{ n: Node | undefined; into: Inline[]; depth: number }> = [{ n: root.first, into: out, depth: 0 }];
  while (stack.length) {
    const top = stack.at(-1)!;
    const n = top.n;
    if (!n) {
      stack.pop();
      continue;
    }
    top.n = n.next;
    const into = top.into;
    if (n.t === 'text') {
      if (!n.text) continue;
      if (typeof into.at(-1) === 'string') into[into.length - 1] += n.text;
      else into.push(n.text);
    } else if (n.t === 'code') into.push({ t: 'code', text: n.text });
    else if (n.t === 'br') into.push({ t: 'br' });
    else if (top.depth >= MAX_INLINE_DEPTH) {
      const text = plainText(n);
      if (typeof into.at(-1) === 'string') into[into.length - 1] += text;
      else into.push(text);
    } else {
      const c: Inline[] = [];
      into.push(
        n.t === 'link' || n.t === 'img' ? { t: n.t, dest: n.dest!, title: n.title!, c } : { t: n.t as 'em', c },
      );
      stack.push({ n: n.first, into: c, depth: top.depth + 1 });
    }
  }
  return out;
}

/** The text of a subtree, without recursion. */
function plainText(n: Node): string {
  let text = '';
  const stack: Node[] = [n];
  while (stack.length) {
    const m = stack.pop()!;
    if (m.t === 'text' || m.t === 'code') text += m.text;
    else if (m.t === 'br') text += '\n';
    for (let c = m.last; c; c = c.prev) stack.push(c);
  }
  return text;
}

/** Parses a leaf block's text (a paragraph, a heading, a table cell) into inline nodes. */
export function parseInline(text: string, defs: Definitions = new Map()): InlineResult {
  const parser = new InlineParser(text, defs);
  const root = parser.parse();
  return {
    nodes: toArrays(root),
    settled: parser.settled,
    missing: parser.missing,
    closers: parser.closers,
    openTicks: parser.openTicks,
  };
}

/** Reads the link reference definitions a paragraph starts with into `defs`; returns the characters they take. */
export function parseDefinitions(text: string, defs: Definitions): number {
  return new InlineParser(text, defs).definitions();
}

/** The plain text of inline nodes (an image's alt text, a heading's words). */
export function inlineText(nodes: Inline[]): string {
  let text = '';
  const stack: Inline[] = [...nodes].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (typeof n === 'string') text += n;
    else if (n.t === 'code') text += n.text;
    else if (n.t === 'br') text += '\n';
    else for (let i = n.c.length - 1; i >= 0; i--) stack.push(n.c[i]!);
  }
  return text;
}
