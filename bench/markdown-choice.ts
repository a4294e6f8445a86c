/**
 * `npm run bench:markdown-choice`: the measurements behind keeping our own markdown parser rather
 * than rendering the tokens of a well-kept one, all in one run on one machine (docs/decisions.md, "Markdown: our own parser"; docs/widget.md, "Safe
 * markdown"). For each candidate — the widget's parser, marked's lexer, markdown-it's token stream,
 * micromark with mdast-util-from-markdown:
 *
 * - conformance: the CommonMark 0.31.2 examples of the sections the widget claims (the libraries
 *   through their own HTML renderers, raw HTML allowed, which is their best case);
 * - pathological time: the corpus of bench/support/pathological-markdown.ts parsed at 8 KB and
 *   64 KB (the fastest of 15 and 9 runs; at 8 KB each run is the mean of eight parses in a row),
 *   the worst 64 ÷ 8 ratio (8 for a linear parser, 64 for a quadratic
 *   one; a case already quadratic from 8 to 16 KB is not run at 64 KB), and the cases that throw;
 * - size: the parser bundled alone by esbuild (minified, es2021), gzip -9 — what it would add to
 *   the widget (micromark's without its GFM table extension, which the widget would also need);
 * - streaming: one full parse of a 100 KB answer without a blank line (table, list, paragraph),
 *   which is what re-parsing the growing answer costs per animation frame. The widget's parser does
 *   not re-parse: its own per-frame cost, parse and render together, is bench:render's.
 *
 * A decision record, not a product figure: it is not part of `npm run bench`. Timings are CPU
 * time on a shared machine: compare within one run.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import MarkdownIt from 'markdown-it';
import { Lexer, marked } from 'marked';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { micromark } from 'micromark';
import type { Block } from '../widget/src/markdown/blocks.ts';
import { parseInline } from '../widget/src/markdown/inline.ts';
import { MarkdownSource } from '../widget/src/markdown/source.ts';
import { CLAIMED, EXAMPLES, conformance, normalize } from './support/commonmark.ts';
import { longAnswers } from './support/long-answers.ts';
import { main, ms, ratio } from './support/report.ts';
import { PATHOLOGICAL_CASES } from './support/pathological-markdown.ts';

/** The widget's parse of a whole text: the blocks, then every leaf's inlines. */
function ours(text: string): void {
  const source = new MarkdownSource(text);
  source.close();
  const stack: Block[] = [source.document()];
  while (stack.length) {
    const block = stack.pop()!;
    if (block.type === 'paragraph' || block.type === 'heading') parseInline(block.lines.join('\n'), source.defs);
    for (const cell of [...(block.head ?? []), ...(block.rows ?? []).flat()]) parseInline(cell, source.defs);
    stack.push(...block.children);
  }
}

const markdownIt = new MarkdownIt('commonmark', { html: true });
const markdownItGfm = new MarkdownIt();

interface Candidate {
  name: string;
  /** The spec HTML, for conformance (the widget's is measured by its own writer). */
  html?: (markdown: string) => string;
  /** What rendering through Lit templates would start from: the token stream or tree. */
  parse: (markdown: string) => unknown;
  /** An entry module for esbuild that bundles just the parser. */
  entry: string;
}

const CANDIDATES: Candidate[] = [
  {
    name: 'ours (widget/src/markdown)',
    parse: ours,
    entry: `import { MarkdownSource } from './widget/src/markdown/source.ts'; import { parseInline } from './widget/src/markdown/inline.ts'; globalThis.x = [MarkdownSource, parseInline];`,
  },
  {
    name: 'marked 18 (lexer)',
    html: (s) => marked.parse(s, { async: false }),
    parse: (s) => new Lexer().lex(s),
    entry: `import { Lexer } from 'marked'; globalThis.x = Lexer;`,
  },
  {
    name: 'markdown-it 15 (tokens)',
    html: (s) => markdownIt.render(s),
    parse: (s) => markdownItGfm.parse(s, {}),
    entry: `import MarkdownIt from 'markdown-it'; globalThis.x = new MarkdownIt();`,
  },
  {
    name: 'micromark 4 + mdast',
    html: (s) => micromark(s, { allowDangerousHtml: true }),
    parse: (s) => fromMarkdown(s),
    entry: `import { fromMarkdown } from 'mdast-util-from-markdown'; globalThis.x = fromMarkdown;`,
  },
];

function conformanceOf(candidate: Candidate): { passed: number; total: number } {
  if (!candidate.html) {
    const results = conformance();
    return { passed: results.reduce((n, r) => n + r.passed, 0), total: results.reduce((n, r) => n + r.total, 0) };
  }
  let passed = 0;
  let total = 0;
  for (const example of EXAMPLES) {
    if (!CLAIMED.includes(example.section)) continue;
    total++;
    try {
      if (normalize(candidate.html(example.markdown)) === normalize(example.html)) passed++;
    } catch {
      // a throw is a failure
    }
  }
  return { passed, total };
}

/**
 * Time of one parse in ms, as the mean of `repeat` parses in a row (a fast parse is too short to
 * time alone), or undefined if it threw.
 */
function timed(parse: (s: string) => unknown, text: string, repeat = 1): number | undefined {
  const start = performance.now();
  try {
    for (let i = 0; i < repeat; i++) parse(text);
  } catch {
    return undefined;
  }
  return (performance.now() - start) / repeat;
}

/** The fastest of `runs` timings (one if the first takes over a second). */
function best(parse: (s: string) => unknown, text: string, runs: number, repeat = 1): number | undefined {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = timed(parse, text, fastest < 20 ? repeat : 1);
    if (t === undefined) return undefined;
    fastest = Math.min(fastest, t);
    if (t > 1000) break;
  }
  return fastest;
}

async function gzippedSize(entry: string): Promise<number> {
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2021',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

main(async () => {
  const rows: string[][] = [];
  const long = longAnswers();
  for (const candidate of CANDIDATES) {
    console.log(`\n${candidate.name}`);
    const { passed, total } = conformanceOf(candidate);
    console.log(`  conformance, claimed sections: ${passed} of ${total} (${((100 * passed) / total).toFixed(1)} %)`);
    let worst = 0;
    let worstCase = '';
    const threw: string[] = [];
    const quadratic: string[] = [];
    for (const { name, text } of PATHOLOGICAL_CASES) {
      const small = best(candidate.parse, text(8 * 1024), 15, 8);
      // Where 8 KB already takes a while, 16 KB first: a quadratic parser would take minutes at 64 KB.
      const double = small !== undefined && small > 100 ? best(candidate.parse, text(16 * 1024), 1) : undefined;
      if (small !== undefined && double !== undefined && double / small > 3) {
        quadratic.push(name);
        console.log(
          `  pathological ${name}: 8 KB ${ms(small)}, 16 KB ${ms(double)} (×${ratio(double / small)}: quadratic, not run at 64 KB)`,
        );
        continue;
      }
      const large = small === undefined ? undefined : best(candidate.parse, text(64 * 1024), 9);
      if (small === undefined || large === undefined) {
        threw.push(name);
        console.log(`  pathological ${name}: throws`);
        continue;
      }
      const r = large / small;
      if (r > worst) [worst, worstCase] = [r, name];
      if (r > 10 || large > 100)
        console.log(`  pathological ${name}: 8 KB ${ms(small)}, 64 KB ${ms(large)}: ${ratio(r)}`);
    }
    console.log(
      `  pathological: worst 64 ÷ 8 KB ${ratio(worst)} (${worstCase}); of ${PATHOLOGICAL_CASES.length} cases ${threw.length} throw, ${quadratic.length} quadratic at 8–16 KB`,
    );
    const size = await gzippedSize(candidate.entry);
    console.log(`  size: ${(size / 1000).toFixed(1)} KB gzip -9`);
    const full = long.map(({ name, text }) => {
      // The parse a renderer without incremental parsing repeats on every frame.
      const t = best(candidate.parse, text, 3);
      console.log(`  full parse of the 100 KB ${name}: ${t === undefined ? 'throws' : ms(t)}`);
      return t ?? Number.NaN;
    });
    rows.push([
      candidate.name,
      `${((100 * passed) / total).toFixed(1)} %`,
      [ratio(worst), threw.length && `${threw.length} throw`, quadratic.length && `${quadratic.length} quadratic`]
        .filter(Boolean)
        .join(', '),
      `${(size / 1000).toFixed(1)} KB`,
      full.map((t) => t.toFixed(1)).join(' / '),
    ]);
  }
  console.log(
    '\n| parser | CommonMark, claimed sections | pathological, worst 64 ÷ 8 KB | size, gzip -9 | full parse of 100 KB: table / list / paragraph (ms) |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
});
