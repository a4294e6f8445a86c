/// <reference types="mocha" />
import { expect, waitUntil } from '@open-wc/testing';
import { MarkdownSource } from '../src/markdown/source.ts';
import { MarkdownView } from '../src/markdown/view.ts';
import { nextFrame } from './helpers.ts';

const STRINGS = { copy: 'Copy', copied: 'Copied', image: 'Image' };

function rendered(markdown: string): HTMLElement {
  const view = new MarkdownView(new MarkdownSource(markdown), STRINGS);
  document.body.append(view.element);
  return view.element;
}

const texts = (root: Element, selector: string) => [...root.querySelectorAll(selector)].map((e) => e.textContent);

describe('markdown rendering', () => {
  afterEach(() => document.querySelectorAll('.md').forEach((e) => e.remove()));

  it('renders paragraphs, emphasis, strikethrough and inline code', () => {
    const md = rendered(
      'Plain **bold** *italic* _also_ ***both*** ~~gone~~ `a < b`\nnext line\n\nSecond paragraph, 2 * 3 and snake_case_name.',
    );
    const [first, second] = md.querySelectorAll('p');
    expect(first!.textContent).to.equal('Plain bold italic also both gone a < b\nnext line');
    expect(texts(first!, 'strong')).to.deep.equal(['bold', 'both']);
    expect(texts(first!, 'em')).to.deep.equal(['italic', 'also', 'both']);
    expect(texts(first!, 'del')).to.deep.equal(['gone']);
    expect(texts(first!, 'code')).to.deep.equal(['a < b']);
    expect(second!.textContent).to.equal('Second paragraph, 2 * 3 and snake_case_name.');
    expect(second!.querySelector('em, strong'), 'no emphasis').to.equal(null);
  });

  it('renders headings with their level', () => {
    const md = rendered('# One\n## Two\n###### Six\n#not a heading');
    const headings = [...md.querySelectorAll('[role=heading]')];
    expect(headings.map((h) => [h.getAttribute('aria-level'), h.textContent])).to.deep.equal([
      ['1', 'One'],
      ['2', 'Two'],
      ['6', 'Six'],
    ]);
    expect(md.querySelector('p')!.textContent).to.equal('#not a heading');
  });

  it('renders bullet, ordered and nested lists', () => {
    const md = rendered('- one\n- two\n  - two a\n  - two b\n- three\n\n3. c\n4. d');
    const ul = md.querySelector('ul')!;
    expect(texts(ul, ':scope > li > p')).to.deep.equal(['one', 'two', 'three']);
    expect(texts(ul, 'li ul li')).to.deep.equal(['two a', 'two b']);
    const ol = md.querySelector('ol')!;
    expect(ol.getAttribute('start')).to.equal('3');
    expect(texts(ol, 'li')).to.deep.equal(['c', 'd']);
  });

  it('renders links that open safely, and bare and angle-bracket URLs', () => {
    const md = rendered(
      'See [the docs](https://example.com/docs "Docs"), <https://example.org/a> or https://example.net/b. Mail [us](mailto:hi@example.com).',
    );
    const links = [...md.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).to.deep.equal([
      ['the docs', 'https://example.com/docs'],
      ['https://example.org/a', 'https://example.org/a'],
      ['https://example.net/b', 'https://example.net/b'],
      ['us', 'mailto:hi@example.com'],
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).to.equal('_blank');
      expect(a.getAttribute('rel')).to.equal('noopener noreferrer');
    }
  });

  it('shows an image as a link to it, never as an image', () => {
    const md = rendered('![a chart](https://example.com/chart.png)');
    expect(md.querySelector('img')).to.equal(null);
    const a = md.querySelector('a')!;
    expect(a.textContent).to.equal('Image: a chart');
    expect(a.getAttribute('href')).to.equal('https://example.com/chart.png');
  });

  it('renders fenced code with its language and a copy button, keeping blank lines and markup as text', () => {
    const md = rendered('```html\n<b>x</b>\n\n  indented\n```');
    const block = md.querySelector('[part=code-block]')!;
    expect(block.querySelector('.bar span')!.textContent).to.equal('html');
    expect(block.querySelector('code')!.textContent).to.equal('<b>x</b>\n\n  indented');
    expect(block.querySelector('b')).to.equal(null);
    expect(block.querySelector('button[part=copy-button]')!.textContent!.trim()).to.contain('Copy');
  });

  it('copies a code block with its copy button', async () => {
    const md = rendered('```\nnpm install agent-chat\n```');
    const button = md.querySelector<HTMLButtonElement>('[part=copy-button]')!;
    await navigator.clipboard.writeText('before');
    button.click();
    await waitUntil(() => button.hasAttribute('data-copied'), 'the button says it copied');
    expect(await navigator.clipboard.readText()).to.equal('npm install agent-chat');
  });

  it('renders tables with their alignment', () => {
    const md = rendered('| Name | Qty | Note |\n|:-----|----:|:----:|\n| **a** | 1 | x \\| y |\n| b | 22 |');
    expect(texts(md, 'th')).to.deep.equal(['Name', 'Qty', 'Note']);
    expect([...md.querySelectorAll('th')].map((th) => th.className)).to.deep.equal(['left', 'right', 'center']);
    expect([...md.querySelectorAll('tbody tr')].map((tr) => texts(tr, 'td'))).to.deep.equal([
      ['a', '1', 'x | y'],
      ['b', '22', ''],
    ]);
    expect(md.querySelector('td strong')!.textContent).to.equal('a');
  });

  it('renders blockquotes and rules', () => {
    const md = rendered('> quoted **text**\n> more\n\n---\n\nafter');
    expect(md.querySelector('blockquote p')!.textContent).to.equal('quoted text\nmore');
    expect(md.querySelector('hr')).to.exist;
    expect(md.querySelector('hr + p, div:last-child > p')!.textContent).to.equal('after');
  });

  it('keeps raw HTML as text', () => {
    const md = rendered('<b>bold?</b> <i>no</i>');
    expect(md.querySelector('b, i')).to.equal(null);
    expect(md.textContent).to.equal('<b>bold?</b> <i>no</i>');
  });
});

describe('streaming markdown', () => {
  afterEach(() => document.querySelectorAll('.md').forEach((e) => e.remove()));

  it('keeps the exact text it was given, whatever the token boundaries, and parses it as a whole', () => {
    const text = 'Intro\n\n# Head\nbody\n```\ncode\n\nstill code\n```\nafter\n\n\n\n- a\n\n  still a\n- b';
    const source = new MarkdownSource();
    for (const char of text) source.append(char);
    expect(source.text).to.equal(text);
    source.close();
    const types = source.document().children.map((b) => b.type);
    expect(types).to.deep.equal(['paragraph', 'heading', 'paragraph', 'code', 'paragraph', 'list']);
    // A blank line inside a list item does not end the item.
    expect(source.document().children[5]!.children.map((item) => item.children.length)).to.deep.equal([2, 1]);
  });

  it('shows an unclosed emphasis or code span as it will be, so the text does not jump', () => {
    const view = new MarkdownView(new MarkdownSource(), STRINGS);
    view.append('Some **bold te');
    view.flush();
    expect(view.element.querySelector('strong')!.textContent).to.equal('bold te');
    view.append('xt** and `co');
    view.flush();
    expect(view.element.querySelector('strong')!.textContent).to.equal('bold text');
    expect(view.element.querySelector('code')!.textContent).to.equal('co');
    view.append('de` and [a link](https://exa');
    view.flush();
    expect(view.element.textContent).to.equal('Some bold text and code and a link');
    expect(view.element.querySelector('a')).to.equal(null);
  });

  it('batches tokens to one render per animation frame', async () => {
    const view = new MarkdownView(new MarkdownSource(), STRINGS);
    document.body.append(view.element);
    let renders = 0;
    const observer = new MutationObserver(() => renders++);
    observer.observe(view.element, { subtree: true, childList: true, characterData: true });
    for (const token of 'one two three four five six seven'.split(' ')) view.append(`${token} `);
    expect(view.element.textContent, 'nothing rendered yet').to.equal('');
    await nextFrame();
    await new Promise((r) => setTimeout(r));
    observer.disconnect();
    expect(view.element.textContent).to.equal('one two three four five six seven');
    expect(renders, 'mutation callbacks').to.equal(1);
  });

  it('renders each finished block once: streaming on only ever touches the last block', () => {
    const view = new MarkdownView(new MarkdownSource(), STRINGS);
    document.body.append(view.element);
    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Paragraph ${i} with **bold** and a [link](https://example.com/${i}).\n\n`,
    );
    for (const p of paragraphs.slice(0, 10)) {
      for (const token of p.match(/.{1,3}/gs)!) {
        view.append(token);
        view.flush();
      }
    }
    const first = view.element.querySelector('p')!;
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((list) => records.push(...list));
    observer.observe(view.element, { subtree: true, childList: true, characterData: true, attributes: true });
    for (const p of paragraphs.slice(10)) {
      for (const token of p.match(/.{1,3}/gs)!) {
        view.append(token);
        view.flush();
      }
    }
    records.push(...observer.takeRecords());
    observer.disconnect();
    expect(view.element.querySelector('p'), 'the first paragraph is the same node').to.equal(first);
    expect(view.element.querySelectorAll('p')).to.have.length(30);
    // Every change happened inside blocks 10 and later (or added them to the message).
    const finished = [...view.element.querySelectorAll(':scope > div > p')].slice(0, 10);
    expect(finished.map((wrapper) => wrapper.textContent)).to.deep.equal(
      paragraphs.slice(0, 10).map((p) => p.replace(/\*\*|\[|\]\([^)]*\)|\n/g, '')),
    );
    const touched = records.filter((r) => finished.some((wrapper) => wrapper.contains(r.target)));
    expect(touched).to.deep.equal([]);
  });

  it('renders a rewritten text afresh', () => {
    const view = new MarkdownView(new MarkdownSource('First version\n\nwith two blocks'), STRINGS);
    view.replace('First version\n\nwith two blocks, extended');
    view.flush();
    expect(view.element.textContent).to.equal('First versionwith two blocks, extended');
    view.replace('Something else');
    view.flush();
    expect(view.element.textContent).to.equal('Something else');
    expect(view.source.text).to.equal('Something else');
  });
});
