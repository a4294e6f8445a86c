// The widget's markdown parser on its own, in Node: CommonMark conformance, GFM's extensions, and
// that parsing as it streams (line by line, with previews of the unfinished line) and settling
// text early never changes what a whole parse gives. How it renders is tested in Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIMED, EXAMPLES, conformance, documentHtml, normalize, toHtml } from '../../../bench/support/commonmark.ts';
import type { Block } from '../../src/markdown/blocks.ts';
import { type Inline, parseInline } from '../../src/markdown/inline.ts';
import { MarkdownSource } from '../../src/markdown/source.ts';

/** The conformance docs/widget.md states: fails below it. */
const COMMITTED_PASS_RATE = 0.96;

/**
 * Examples that differ on purpose, with why: the widget shows model-written HTML as text, decodes
 * only a few named character references, and links bare URLs as GFM does.
 */
const DELIBERATE: Record<number, string> = {
  ...Object.fromEntries(
    [21, 201, 308, 309, 344, 475, 476, 477, 491, 494, 524, 536, 642, 643].map((n) => [n, 'raw HTML shows as text']),
  ),
  503: '&auml; is not in the short table of named references',
  602: 'GFM links a bare URL',
  608: 'GFM links a bare URL',
  611: 'GFM links a bare URL',
};

describe('CommonMark conformance', () => {
  const results = conformance();

  it(`passes at least ${COMMITTED_PASS_RATE * 100} % of the examples of every section the widget claims`, () => {
    assert.deepEqual(
      results.map((r) => r.section),
      CLAIMED,
    );
    const passed = results.reduce((n, r) => n + r.passed, 0);
    const total = results.reduce((n, r) => n + r.total, 0);
    assert.ok(total > 550, `${total} examples`);
    assert.ok(passed / total >= COMMITTED_PASS_RATE, `${passed} of ${total} passed`);
  });

  it('fails only the examples it differs from on purpose', () => {
    const failed = results.flatMap((r) => r.failed);
    assert.deepEqual(
      failed.filter((n) => !DELIBERATE[n]),
      [],
    );
  });
});

describe('GFM extensions', () => {
  const html = (markdown: string) => normalize(toHtml(markdown));

  it('links bare URLs without trailing punctuation, quotes, an unbalanced ) or what follows < or >', () => {
    const link = (url: string) => `<a href="${url}">${url}</a>`;
    assert.equal(html('See https://example.com/a.'), `<p>See ${link('https://example.com/a')}.</p>`);
    assert.equal(html('<link href=http://x.css">'), `<p>&lt;link href=${link('http://x.css')}&quot;&gt;</p>`);
    assert.equal(html('http://x.css">'), `<p>${link('http://x.css')}&quot;&gt;</p>`);
    assert.equal(
      html("(at https://en.wikipedia.org/wiki/Pipe_(unix)), 'https://e.com/q?x=1'!"),
      `<p>(at ${link('https://en.wikipedia.org/wiki/Pipe_(unix)')}), '${link('https://e.com/q?x=1')}'!</p>`,
    );
    assert.equal(
      html('https://e.com/a&amp; and www.commonmark.org/help?'),
      `<p><a href="https://e.com/a">https://e.com/a</a>&amp; and <a href="http://www.commonmark.org/help">www.commonmark.org/help</a>?</p>`,
    );
    assert.equal(html('https://e.com/<b>'), `<p>${link('https://e.com/')}&lt;b&gt;</p>`);
    // No dot in the domain, or an underscore in its last two parts: not a link.
    assert.equal(html('http://localhost/ and http://a_b.c_d'), '<p>http://localhost/ and http://a_b.c_d</p>');
  });

  it('renders strikethrough with one or two tildes, not three', () => {
    assert.equal(html('~~gone~~ ~this~ ~~~not~~~'), '<p><del>gone</del> <del>this</del> ~~~not~~~</p>');
  });

  it('renders tables: alignment, escaped pipes, rows to the header width, ended by a blank line or another block', () => {
    assert.equal(
      html('| a | b | c |\n|:--|:-:|--:|\n| 1 | `x \\| y` | 3 | 4 |\n| 5 |\n> quote'),
      '<table><thead><tr><th align="left">a</th><th align="center">b</th><th align="right">c</th></tr></thead>' +
        '<tbody><tr><td align="left">1</td><td align="center"><code>x | y</code></td><td align="right">3</td></tr>' +
        '<tr><td align="left">5</td><td align="center"></td><td align="right"></td></tr></tbody></table><blockquote><p>quote</p></blockquote>',
    );
    // A paragraph's last line can be the header; a delimiter row of another width is not a table.
    assert.equal(
      html('intro\na | b\n--|--'),
      '<p>intro</p><table><thead><tr><th>a</th><th>b</th></tr></thead></table>',
    );
    assert.equal(html('a | b\n--|--|--'), '<p>a | b\n--|--|--</p>');
  });
});

/** Adjacent strings merged: how a parse of two parts compares with a parse of the whole. */
function merged(nodes: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (typeof n === 'string' && typeof out.at(-1) === 'string') out[out.length - 1] += n;
    else out.push(typeof n === 'string' || !('c' in n) ? n : { ...n, c: merged(n.c) });
  }
  return out;
}

/** Every paragraph and heading text in a document. */
function texts(doc: Block): string[] {
  const out: string[] = [];
  const stack = [doc];
  while (stack.length) {
    const b = stack.pop()!;
    if (b.type === 'paragraph' || b.type === 'heading') out.push(b.lines.join('\n').trim());
    stack.push(...b.children);
  }
  return out;
}

describe('parsing as it streams', () => {
  it('gives the same document, token by token with a preview after each, as a parse of the whole', () => {
    for (const { markdown, number } of EXAMPLES) {
      const source = new MarkdownSource();
      for (let i = 0; i < markdown.length; i += 3) {
        source.append(markdown.slice(i, i + 3));
        source.document();
      }
      source.close();
      assert.equal(documentHtml(source.document(), source.defs), toHtml(markdown), `example ${number}`);
    }
  });

  it('settles only text that the rest cannot change: its parse and the rest’s make the whole’s', () => {
    const samples = EXAMPLES.flatMap(({ markdown }) => {
      const source = new MarkdownSource(markdown);
      source.close();
      return texts(source.document()).map((text) => ({ text, defs: source.defs }));
    });
    samples.push({
      text: 'a *b* c **d** e `f` [g](https://h.example) i\nj *k\nl* m ~~n~~ o https://p.example/q. r',
      defs: new Map(),
    });
    let settledSome = 0;
    for (const { text, defs } of samples) {
      const whole = parseInline(text, defs);
      if (!whole.settled) continue;
      settledSome++;
      const parts = [
        ...parseInline(text.slice(0, whole.settled), defs).nodes,
        ...parseInline(text.slice(whole.settled), defs).nodes,
      ];
      assert.deepEqual(merged(parts), merged(whole.nodes), JSON.stringify(text));
    }
    assert.ok(settledSome > 100, `${settledSome} texts settled early`);
  });

  it('parses the last line of a finished text as closed', () => {
    const source = new MarkdownSource('- a\n- b *c*');
    assert.equal(source.document().children[0]!.tentative, true);
    source.close();
    const list = source.document().children[0]!;
    assert.equal(list.open, false);
    assert.equal(list.tentative, undefined);
    assert.equal(documentHtml(source.document(), source.defs), '<ul>\n<li>a</li>\n<li>b <em>c</em></li>\n</ul>\n');
  });
});
