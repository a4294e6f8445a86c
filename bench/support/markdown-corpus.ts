/**
 * The render benchmark's message: mixed markdown — headings, paragraphs with emphasis, inline
 * code and links, lists, fenced code, tables — cut into tokens the way a model streams them (a
 * word with its leading space, long words split). Marker words (`mkw<n>`, `mkc<n>`, `mkt<n>`)
 * survive any markdown rendering, so the rendered text can be checked for completeness and order
 * whether the widget renders markdown or plain text.
 */

export interface Corpus {
  tokens: string[];
  text: string;
  /** The marker words in order, as they must appear in the rendered text. */
  markers: string[];
  /** Blocks a markdown renderer must produce. */
  codeBlocks: number;
  tables: number;
  listItems: number;
  /** The last token: the message is fully rendered once it shows. */
  sentinel: string;
}

export const MARKER = /\bmk[wct]\d+\b/g;

const WORDS =
  'the relay streams each event as soon as the agent produces it while the widget renders only the open block'.split(
    ' ',
  );
const MAX_TOKEN_CHARS = 8;

/** Splits markdown into model-like tokens whose concatenation is exactly the text. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const [piece] of text.matchAll(/\s*\S+|\s+$/g)) {
    const lead = /^\s*/.exec(piece)![0];
    const word = piece.slice(lead.length);
    tokens.push(lead + word.slice(0, MAX_TOKEN_CHARS));
    for (let i = MAX_TOKEN_CHARS; i < word.length; i += MAX_TOKEN_CHARS)
      tokens.push(word.slice(i, i + MAX_TOKEN_CHARS));
  }
  return tokens;
}

/** One section: about 200 tokens of every kind of block. `n` numbers its markers. */
function section(k: number, next: () => number): string {
  const words = (count: number) =>
    Array.from({ length: count }, (_, i) => (i % 8 === 3 ? `mkw${next()}` : WORDS[(k + i) % WORDS.length])).join(' ');
  return [
    `## Section ${k}`,
    '',
    `${words(20)} **${words(4)}** and \`inline_code_${k}\` then [a link](https://example.com/docs/${k}) ${words(14)}.`,
    '',
    `- ${words(9)}`,
    `- ${words(9)}`,
    `- ${words(9)}`,
    '',
    '```ts',
    `// mkc${next()}`,
    `const value${k} = await relay.stream({ id: ${k}, events: [1, 2, 3] });`,
    `console.log(value${k}.length);`,
    '```',
    '',
    '| name | value |',
    '| --- | ---: |',
    `| mkt${next()} | ${k} |`,
    `| mkt${next()} | ${k * 2} |`,
    '',
    '',
  ].join('\n');
}

/** A message of exactly `count` tokens; `label` makes its sentinel unique. */
export function markdownCorpus(count: number, label: string): Corpus {
  let marker = 0;
  const next = () => ++marker;
  const tokens: string[] = [];
  let sections = 0;
  // Whole sections while they fit, leaving room for the closing paragraph.
  for (;;) {
    const more = tokenize(section(sections + 1, () => marker + 1));
    if (tokens.length + more.length + 40 > count) break;
    sections++;
    tokens.push(...tokenize(section(sections, next)));
  }
  // A closing paragraph of plain words up to exactly `count` tokens, the sentinel last.
  const sentinel = ` END${label}.\n`;
  tokens.push('Closing');
  while (tokens.length < count - 1)
    tokens.push(tokens.length % 8 === 3 ? ` mkw${next()}` : ` ${WORDS[tokens.length % WORDS.length]}`);
  tokens.push(sentinel);
  const text = tokens.join('');
  return {
    tokens,
    text,
    markers: text.match(MARKER) ?? [],
    codeBlocks: sections,
    tables: sections,
    listItems: 3 * sections,
    sentinel: sentinel.trim(),
  };
}
