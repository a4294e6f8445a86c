/**
 * A small markdown parser for chat answers: paragraphs, headings, emphasis, strikethrough, inline
 * code, fenced code, links, images (as links), lists, blockquotes, tables and rules. It produces
 * a plain tree — no HTML — which `render.ts` turns into Lit templates. Raw HTML in the text stays
 * text. Link targets pass `safeUrl` here, so the tree never holds a URL that may not be followed.
 *
 * `open` means the text is still streaming: an emphasis or code span that is not closed yet is
 * shown as if it were (the closing mark is probably the next token), so the text does not jump
 * from `**bold` to **bold** as it arrives.
 */

export type Inline =
  | string
  | { type: 'code'; text: string }
  | { type: 'em' | 'strong' | 'del'; children: Inline[] }
  /** `href` is missing when the target is unsafe or not complete yet: only the text shows. */
  | { type: 'link'; href?: string; children: Inline[] }
  /** Never fetched: rendered as a link to the image. */
  | { type: 'image'; href?: string; alt: string };

export type Align = '' | 'left' | 'center' | 'right';

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'quote'; children: Block[] }
  /** `start` is the first number of an ordered list, missing for a bullet list. */
  | { type: 'list'; start?: number; items: Block[][] }
  | { type: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { type: 'rule' };

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

/** A fence line: indent, marker (three or more ` or ~) and language; a ``` info string has no `. */
export const FENCE = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

const isTable = (line: string, next = '') => line.includes('|') && next.includes('|') && TABLE_DELIMITER.test(next);

/** Whether `line` starts a block that interrupts a paragraph. */
const startsBlock = (line: string, next?: string) =>
  FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line) || isTable(line, next);

const indentOf = (line: string) => line.length - line.trimStart().length;

export function parseBlocks(text: string, open = false): Block[] {
  return blocks(text.split('\n'), open);
}

function blocks(lines: string[], open: boolean): Block[] {
  const out: Block[] = [];
  let i = 0;
  /** Whether the block just consumed runs to the end of a streaming text. */
  const atEnd = () => open && i >= lines.length;
  while (i < lines.length) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (!line.trim()) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const indent = m[1]!.length;
      const marker = m[2]!;
      const lang = m[3]!;
      const body: string[] = [];
      for (i++; i < lines.length && !closesFence(lines[i]!, marker); i++) body.push(lines[i]!.slice(Math.min(indent, indentOf(lines[i]!))));
      i++;
      out.push({ type: 'code', lang, text: body.join('\n') });
    } else if ((m = HEADING.exec(line))) {
      i++;
      out.push({ type: 'heading', level: m[1]!.length, children: parseInline(m[2] ?? '', atEnd()) });
    } else if (RULE.test(line)) {
      i++;
      out.push({ type: 'rule' });
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      // A quote runs on over lines that continue its paragraph without a `>` ("lazy" lines).
      while (i < lines.length && lines[i]!.trim() && (QUOTE.test(lines[i]!) || !startsBlock(lines[i]!))) inner.push(lines[i++]!.replace(QUOTE, ''));
      out.push({ type: 'quote', children: blocks(inner, atEnd()) });
    } else if ((m = ITEM.exec(line))) {
      const ordered = m[2] !== undefined;
      const list: Extract<Block, { type: 'list' }> = { type: 'list', items: [] };
      if (ordered) list.start = Number(m[2]);
      while (i < lines.length && (m = ITEM.exec(lines[i]!)) && (m[2] !== undefined) === ordered) {
        const markerIndent = m[1]!.length;
        const contentIndent = m[0].length;
        const item = [lines[i]!.slice(contentIndent)];
        for (i++; i < lines.length; i++) {
          const next = lines[i]!;
          const indent = indentOf(next);
          // Indented lines belong to the item (a nested list, more paragraphs); an unindented line
          // that starts nothing else continues its paragraph.
          if (!next.trim() || indent > markerIndent) item.push(next.slice(Math.min(indent, contentIndent)));
          else if (startsBlock(next)) break;
          else item.push(next.trim());
        }
        list.items.push(blocks(item, atEnd()));
      }
      out.push(list);
    } else if (isTable(line, lines[i + 1])) {
      const head = cells(line);
      const align = cells(lines[i + 1]!).map((c): Align => (c.endsWith(':') ? (c.startsWith(':') ? 'center' : 'right') : c.startsWith(':') ? 'left' : ''));
      const rows: Inline[][][] = [];
      for (i += 2; i < lines.length && lines[i]!.includes('|'); i++) {
        const row = cells(lines[i]!);
        rows.push(head.map((_, k) => parseInline(row[k] ?? '', open && i === lines.length - 1)));
      }
      out.push({ type: 'table', align: head.map((_, k) => align[k] ?? ''), head: head.map((c) => parseInline(c)), rows });
    } else {
      const paragraph = [line.trim()];
      for (i++; i < lines.length && lines[i]!.trim() && !startsBlock(lines[i]!, lines[i + 1]); i++) paragraph.push(lines[i]!.trim());
      out.push({ type: 'paragraph', children: parseInline(paragraph.join('\n'), atEnd()) });
    }
  }
  return out;
}

/** Whether `line` closes the fence opened with `marker`. */
export function closesFence(line: string, marker: string): boolean {
  const t = line.trim();
  return t.length >= marker.length && t === marker[0]!.repeat(t.length);
}

/** The cells of a table row: split at `|` (not `\|`), outer pipes dropped. */
function cells(row: string): string[] {
  const out: string[] = [];
  const s = row.trim();
  let cell = '';
  for (let i = s[0] === '|' ? 1 : 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') cell += s[++i];
    else if (s[i] === '|') {
      out.push(cell.trim());
      cell = '';
    } else cell += s[i];
  }
  if (cell.trim()) out.push(cell.trim());
  return out;
}

const ESCAPABLE = /[!-/:-@[-`{-~]/;
const WORD = /\w/;
const SPACE = /\s/;
const LINK_TARGET = /\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/y;
const AUTOLINK = /<((?:https?|mailto):[^\s<>]+)>/y;
const BARE_URL = /https?:\/\/[^\s<]*[^\s<.,:;"')\]*_!?]/y;

const runOf = (s: string, i: number, c: string) => {
  let j = i;
  while (s[j] === c) j++;
  return j - i;
};

/** Index of the next run of exactly `length` backticks at or after `from`, or -1. */
function codeEnd(s: string, from: number, length: number): number {
  for (let j = s.indexOf('`', from); j !== -1; j = s.indexOf('`', j)) {
    const run = runOf(s, j, '`');
    if (run === length) return j;
    j += run;
  }
  return -1;
}

type Parsed = { node: Inline; end: number } | undefined;

export function parseInline(s: string, open = false): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const push = ({ node, end }: NonNullable<Parsed>) => {
    if (text) out.push(text);
    text = '';
    out.push(node);
    return end;
  };
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    let parsed: Parsed;
    if (c === '\\' && ESCAPABLE.test(s[i + 1] ?? '')) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') parsed = code(s, i, open);
    else if (c === '*' || c === '_' || c === '~') parsed = emphasis(s, i, open);
    else if (c === '[' || (c === '!' && s[i + 1] === '[')) parsed = link(s, i, open);
    else if (c === '<') parsed = matchUrl(AUTOLINK, s, i, 1);
    else if (c === 'h' && !WORD.test(s[i - 1] ?? '')) parsed = matchUrl(BARE_URL, s, i, 0);
    if (parsed) i = push(parsed);
    else {
      // A run of markers that opened nothing is text as a whole (`***` is not three tries).
      const run = c === '`' || c === '*' || c === '_' || c === '~' ? runOf(s, i, c) : 1;
      text += s.slice(i, i + run);
      i += run;
    }
  }
  if (text) out.push(text);
  return out;
}

function code(s: string, i: number, open: boolean): Parsed {
  const run = runOf(s, i, '`');
  const close = codeEnd(s, i + run, run);
  if (close === -1 && !open) return undefined;
  let text = s.slice(i + run, close === -1 ? s.length : close).replace(/\n/g, ' ');
  if (text.length > 2 && text[0] === ' ' && text.at(-1) === ' ') text = text.slice(1, -1);
  return { node: { type: 'code', text }, end: close === -1 ? s.length : close + run };
}

function emphasis(s: string, i: number, open: boolean): Parsed {
  const c = s[i]!;
  const run = runOf(s, i, c);
  if (c === '~' && run !== 2) return undefined;
  const size = run >= 2 ? 2 : 1;
  const type = c === '~' ? 'del' : size === 2 ? 'strong' : 'em';
  const start = i + size;
  // Opens only before a non-space, and `_` not inside a word (snake_case stays text).
  if (!s[start] || SPACE.test(s[start]!) || (c === '_' && WORD.test(s[i - 1] ?? ''))) return undefined;
  for (let j = start; j < s.length; ) {
    if (s[j] === '\\') j += 2;
    else if (s[j] === '`') {
      const r = runOf(s, j, '`');
      const close = codeEnd(s, j + r, r);
      j = close === -1 ? j + r : close + r;
    } else if (s[j] !== c) j++;
    else {
      const r = runOf(s, j, c);
      // The closing mark is the end of a run; `*` skips `**` runs, which belong to strong text.
      const at = j + r - size;
      if (r >= size && !(size === 1 && r === 2) && at > start && !SPACE.test(s[at - 1]!) && !(c === '_' && WORD.test(s[j + r] ?? ''))) {
        return { node: { type, children: parseInline(s.slice(start, at)) }, end: at + size };
      }
      j += r;
    }
  }
  // Not closed (yet): while streaming, a mark that starts a word is taken to be the opening one.
  if (open && !WORD.test(s[i - 1] ?? '')) return { node: { type, children: parseInline(s.slice(start), true) }, end: s.length };
  return undefined;
}

function link(s: string, i: number, open: boolean): Parsed {
  const image = s[i] === '!';
  const start = i + (image ? 2 : 1);
  let depth = 1;
  let j = start;
  for (; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '[') depth++;
    else if (s[j] === ']' && !--depth) break;
  }
  if (j >= s.length || s[j + 1] !== '(') return undefined;
  const label = s.slice(start, j);
  LINK_TARGET.lastIndex = j + 1;
  const target = LINK_TARGET.exec(s);
  if (!target) {
    // `[text](https://exam` while streaming: show the text, not the half-written address.
    return open && !s.includes(')', j) ? { node: image ? { type: 'image', alt: label } : { type: 'link', children: parseInline(label) }, end: s.length } : undefined;
  }
  const href = safeUrl(target[1]!);
  const node: Inline = image ? { type: 'image', alt: label } : { type: 'link', children: parseInline(label) };
  if (href) Object.assign(node, { href });
  return { node, end: LINK_TARGET.lastIndex };
}

function matchUrl(pattern: RegExp, s: string, i: number, group: number): Parsed {
  pattern.lastIndex = i;
  const m = pattern.exec(s);
  const href = m && safeUrl(m[group]!);
  return href ? { node: { type: 'link', href, children: [m[group]!] }, end: pattern.lastIndex } : undefined;
}
