/**
 * Markdown written to hurt a parser: each case repeats a pattern that makes a naive parser
 * backtrack, rescan or recurse (the cases of cmark's own pathological tests, and the ones that
 * broke this widget's first parser). `case.text(size)` is about `size` characters. A parser that is
 * linear in its input takes about 8× as long on 64 KB as on 8 KB; a quadratic one, 64×.
 */
export interface PathologicalCase {
  name: string;
  text: (size: number) => string;
}

/** `unit` repeated to about `size` characters, then `tail`. */
const repeat = (unit: string, size: number, tail = '') =>
  unit.repeat(Math.max(1, Math.floor((size - tail.length) / unit.length))) + tail;
/** `open` n times, `middle`, `close` n times: n as large as fits in `size`. */
const nest = (open: string, middle: string, close: string, size: number) => {
  const n = Math.max(1, Math.floor((size - middle.length) / (open.length + close.length)));
  return open.repeat(n) + middle + close.repeat(n);
};

export const PATHOLOGICAL_CASES: PathologicalCase[] = [
  { name: 'nested list markers', text: (size) => repeat('- ', size, 'x') },
  { name: 'nested ordered list markers', text: (size) => repeat('1. ', size, 'x') },
  { name: 'nested block quotes', text: (size) => repeat('> ', size, 'x') },
  {
    name: 'nested quotes and lists, one per line',
    text: (size) =>
      Array.from({ length: Math.floor(size / 40) }, (_, i) => `${'> - '.repeat(i % 10)}line ${i}`).join('\n'),
  },
  { name: 'open emphasis', text: (size) => repeat('*a ', size) },
  { name: 'open strong', text: (size) => repeat('**a ', size) },
  { name: 'emphasis closers without openers', text: (size) => repeat('a* ', size) },
  { name: 'mismatched openers and closers', text: (size) => repeat('*a_ ', size) },
  { name: 'openers and closers, multiples of 3', text: (size) => `a${repeat('**b c* ', size)}` },
  { name: 'nested strong and emphasis', text: (size) => nest('*a **a ', 'b', ' a** a*', size) },
  { name: 'open brackets', text: (size) => repeat('[', size) },
  { name: 'brackets closed without openers', text: (size) => repeat(']', size) },
  { name: 'link openers and emphasis closers', text: (size) => repeat('[ a_', size) },
  { name: 'brackets, parentheses', text: (size) => repeat('[ (](', size) },
  { name: 'nested brackets', text: (size) => nest('[', 'a', ']', size) },
  { name: 'nested links', text: (size) => nest('[', 'a', '](b)', size) },
  { name: 'nested images', text: (size) => nest('![', 'a', '](b)', size) },
  { name: 'unclosed link destinations', text: (size) => repeat('[a](<b', size) },
  { name: 'unclosed link titles', text: (size) => repeat('[a](b "', size) },
  { name: 'nested parentheses in a destination', text: (size) => `[a](${nest('(', 'b', ')', size - 5)})` },
  { name: 'backtick runs of different lengths', text: (size) => repeat('*a `` `b ```c ', size) },
  {
    name: 'backtick runs, each one longer',
    text: (size) =>
      Array.from({ length: Math.floor(Math.sqrt(2 * size)) }, (_, i) => `${'`'.repeat(i + 1)}a`)
        .join(' ')
        .slice(0, size),
  },
  { name: 'long fence info string with a backtick', text: (size) => `\`\`\`${'a'.repeat(size)}\`` },
  { name: 'unclosed fence', text: (size) => `\`\`\`\n${repeat('code line\n', size)}` },
  { name: 'lines of pipes', text: (size) => repeat(`${'|'.repeat(60)}\n`, size) },
  {
    name: 'long table',
    text: (size) => `| a | b | c |\n|---|:-:|--:|\n${repeat('| *x* | `y` | [z](https://example.com/) |\n', size)}`,
  },
  { name: 'wide table header', text: (size) => `${repeat('| a ', size / 2)}|\n${repeat('|---', size / 2)}|\n` },
  {
    name: 'bare URLs with trailing punctuation',
    text: (size) => repeat('https://example.com/a_b.c?d=(e)).,;:"\'> ', size),
  },
  { name: 'autolinks without an end', text: (size) => repeat('<https://example.com/', size) },
  { name: 'entity-like text', text: (size) => repeat('&#x1234567;&amp&#; ', size) },
  {
    name: 'link reference definitions and uses',
    text: (size) => {
      const n = Math.floor(size / 40);
      return `${Array.from({ length: n }, (_, i) => `[r${i}]: https://e.com/${i}`).join('\n')}\n\n${Array.from({ length: n }, (_, i) => `[r${i}]`).join(' ')}`;
    },
  },
  { name: 'many escapes and entities', text: (size) => repeat('\\*\\_\\[\\`&lt;', size) },
  { name: 'heading markers', text: (size) => repeat('####### #\n', size) },
  { name: 'setext underlines after long paragraphs', text: (size) => repeat('a\n-\n', size) },
];
