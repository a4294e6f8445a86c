/**
 * The widget's markdown parser against the CommonMark spec's examples (npm `commonmark-spec`, the
 * version the spec's own test suite ships): each example is parsed by the real parser
 * (`widget/src/markdown/blocks.ts`, `inline.ts`) and written out as the HTML the spec expects, then
 * compared after collapsing whitespace between tags. The widget itself never makes HTML: this
 * writer exists only to compare its tree with the spec's.
 *
 * CLAIMED lists the spec sections for the constructs docs/widget.md says the widget renders. Left out
 * on purpose: "HTML blocks" and "Raw HTML" (model-written HTML shows as text) and "Entity and
 * numeric character references" (only numeric and a few common named references are decoded; the
 * full table of 2,125 names would cost more than the whole parser).
 */
import { createRequire } from 'node:module';
import { type Block, BlockParser } from '../../widget/src/markdown/blocks.ts';
import { type Definitions, type Inline, inlineText, parseInline } from '../../widget/src/markdown/inline.ts';

export const CLAIMED = [
  'Tabs',
  'Backslash escapes',
  'Precedence',
  'Thematic breaks',
  'ATX headings',
  'Setext headings',
  'Indented code blocks',
  'Fenced code blocks',
  'Link reference definitions',
  'Paragraphs',
  'Blank lines',
  'Block quotes',
  'List items',
  'Lists',
  'Inlines',
  'Code spans',
  'Emphasis and strong emphasis',
  'Links',
  'Images',
  'Autolinks',
  'Hard line breaks',
  'Soft line breaks',
  'Textual content',
];

export interface Example {
  markdown: string;
  html: string;
  section: string;
  number: number;
}

const spec = createRequire(import.meta.url)('commonmark-spec') as { tests: Example[] };

export const EXAMPLES: Example[] = spec.tests.map((t) => ({
  ...t,
  markdown: t.markdown.replace(/→/g, '\t'),
  html: t.html.replace(/→/g, '\t'),
}));

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Percent-encodes a destination as the spec's reference renderer does, keeping existing %XX escapes. */
function encodeUrl(url: string): string {
  let out = '';
  for (let i = 0; i < url.length; i++) {
    const c = url[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(url.slice(i + 1, i + 3))) out += c;
    else if (/[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]/.test(c)) out += c;
    else {
      const code = url.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      if (char.length === 2) i++;
      try {
        out += encodeURIComponent(char);
      } catch {
        out += '%EF%BF%BD';
      }
    }
  }
  return escapeHtml(out);
}

function inlineHtml(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      if (typeof n === 'string') return escapeHtml(n);
      switch (n.t) {
        case 'code':
          return `<code>${escapeHtml(n.text)}</code>`;
        case 'br':
          return '<br />\n';
        case 'em':
        case 'strong':
        case 'del':
          return `<${n.t}>${inlineHtml(n.c)}</${n.t}>`;
        case 'link':
          return `<a href="${encodeUrl(n.dest)}"${n.title ? ` title="${escapeHtml(n.title)}"` : ''}>${inlineHtml(n.c)}</a>`;
        case 'img':
          return `<img src="${encodeUrl(n.dest)}" alt="${escapeHtml(inlineText(n.c))}"${n.title ? ` title="${escapeHtml(n.title)}"` : ''} />`;
      }
    })
    .join('');
}

const inlineOf = (text: string, defs: Definitions) =>
  inlineHtml(parseInline(text.replace(/^[ \t\n]+|[ \t\n]+$/g, ''), defs).nodes);

function blockHtml(block: Block, defs: Definitions, tight = false): string {
  const children = (loose = tight) => block.children.map((child) => blockHtml(child, defs, loose)).join('');
  switch (block.type) {
    case 'document':
      return children(false);
    case 'paragraph': {
      const text = inlineOf(block.lines.join('\n'), defs);
      // In a tight list the paragraph is bare text, with a line break before any block after it.
      if (tight) return block.parent!.children.at(-1) === block ? text : `${text}\n`;
      return `<p>${text}</p>\n`;
    }
    case 'heading':
      return `<h${block.level}>${inlineOf(block.lines.join('\n'), defs)}</h${block.level}>\n`;
    case 'code': {
      const lang = block.info?.split(/[ \t]/)[0];
      const text = block.lines.map((line) => `${line}\n`).join('');
      return `<pre><code${lang ? ` class="language-${escapeHtml(lang)}"` : ''}>${escapeHtml(text)}</code></pre>\n`;
    }
    case 'rule':
      return '<hr />\n';
    case 'quote':
      return `<blockquote>\n${children(false)}</blockquote>\n`;
    case 'list': {
      const { ordered, start, tight: isTight } = block.list!;
      const tag = ordered ? 'ol' : 'ul';
      const items = block.children
        .map((item) => `<li>${item.children.map((child) => blockHtml(child, defs, isTight)).join('')}</li>\n`)
        .join('');
      return `<${tag}${ordered && start !== 1 ? ` start="${start}"` : ''}>\n${items}</${tag}>\n`;
    }
    case 'item':
      return children();
    case 'table': {
      const row = (cells: string[], tag: string) =>
        `<tr>\n${cells.map((c, i) => `<${tag}${block.align![i] ? ` align="${block.align![i]}"` : ''}>${inlineOf(c, defs)}</${tag}>\n`).join('')}</tr>\n`;
      const body = block.rows!.length ? `<tbody>\n${block.rows!.map((r) => row(r, 'td')).join('')}</tbody>\n` : '';
      return `<table>\n<thead>\n${row(block.head!, 'th')}</thead>\n${body}</table>\n`;
    }
  }
}

/** A parsed document written as CommonMark's reference HTML. */
export const documentHtml = (doc: Block, defs: Definitions) => blockHtml(doc, defs);

/** The whole text through the widget's parser, written as CommonMark's reference HTML. */
export function toHtml(markdown: string): string {
  const parser = new BlockParser();
  const lines = markdown.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) parser.line(line);
  parser.finish();
  return blockHtml(parser.doc, parser.defs);
}

/** Whitespace around block-level tags does not matter (the spec's own test normalizes it away); inside text it does. */
export const normalize = (html: string) =>
  html.replace(/\s*(<\/?(?:p|ul|ol|li|blockquote|pre|h[1-6]|hr|table|thead|tbody|tr|th|td)\b[^>]*>)\s*/g, '$1').trim();

export interface SectionResult {
  section: string;
  passed: number;
  total: number;
  failed: number[];
}

/** Every claimed section's examples through the parser: passes per section, in the spec's order. */
export function conformance(): SectionResult[] {
  const results = new Map<string, SectionResult>();
  for (const example of EXAMPLES) {
    if (!CLAIMED.includes(example.section)) continue;
    const result = results.get(example.section) ?? { section: example.section, passed: 0, total: 0, failed: [] };
    results.set(example.section, result);
    result.total++;
    let html: string;
    try {
      html = toHtml(example.markdown);
    } catch (error) {
      html = `threw ${String(error)}`;
    }
    if (normalize(html) === normalize(example.html)) result.passed++;
    else result.failed.push(example.number);
  }
  return [...results.values()];
}
