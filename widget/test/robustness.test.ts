/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { PATHOLOGICAL_CASES } from '../../bench/support/pathological-markdown.ts';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { MarkdownSource } from '../src/markdown/source.ts';
import { $, $$, converse, reload } from './helpers.ts';

const answers = (el: AgentChat) => $$(el, '[part~=message-assistant]');
const notices = (el: AgentChat) => $$(el, '[part=render-notice]');

/** Makes the next drawing of any message whose text contains `marker` throw, as a parser bug would. */
function breakRendering(marker: string): () => void {
  const original = Object.getOwnPropertyDescriptor(MarkdownSource.prototype, 'document')!;
  MarkdownSource.prototype.document = function (this: MarkdownSource) {
    if (this.text.includes(marker)) throw new RangeError('Maximum call stack size exceeded');
    return original.value.call(this);
  };
  return () => Object.defineProperty(MarkdownSource.prototype, 'document', original);
}

describe('nothing a model writes breaks the widget', () => {
  beforeEach(() => sessionStorage.clear());

  // The corpus of bench:render, in CI: the answer finishes, the widget stays usable, a reload restores it.
  for (const { name, text } of PATHOLOGICAL_CASES) {
    it(`renders ${name} at 8 KB and 64 KB`, async function () {
      this.timeout(30_000);
      for (const size of [8 * 1024, 64 * 1024]) {
        const markdown = text(size);
        const el = await fixture<AgentChat>(
          html`<agent-chat id="pathological" endpoint="/scripted/echo?delay=0&size=4096" show-tools="false"></agent-chat>`,
        );
        const done = await converse(el, markdown);
        expect(done, `${name} at ${size}`).to.deep.equal({ status: 'complete', text: markdown.trim() });
        const rendered = $(el, '[part~=message-assistant] .md')!;
        expect(notices(el), 'drawn as markdown, not as the fallback').to.deep.equal([]);
        expect(rendered.textContent!.length).to.be.greaterThan(0);
        const again = await reload(el);
        expect($(again, '[part~=message-assistant] .md')!.innerHTML).to.equal(rendered.innerHTML);
        // Still usable: the next message goes out and its answer shows.
        await converse(again, 'still here');
        expect(answers(again).at(-1)!.textContent).to.contain('still here');
        again.remove();
      }
    });
  }
});

describe('a failure is contained to one message', () => {
  beforeEach(() => sessionStorage.clear());

  it('shows a message that fails to render as plain text with a notice; the others, the input and a reload work', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat id="contained" endpoint="/scripted/echo?delay=0" show-tools="false"></agent-chat>`,
    );
    await converse(el, 'First **answer**');
    const restore = breakRendering('BREAKS');
    const warn = console.warn;
    const warnings: unknown[][] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      expect((await converse(el, 'This one *BREAKS* the renderer')).status).to.equal('complete');
      await converse(el, 'Third *answer*');
      const [first, second, third] = answers(el);
      expect(first!.querySelector('strong')!.textContent).to.equal('answer');
      expect(second!.querySelector('[part=render-notice]')!.textContent).to.equal(
        'This message could not be formatted; it is shown as plain text.',
      );
      expect(second!.querySelector('.plain')!.textContent).to.equal('This one *BREAKS* the renderer');
      expect(third!.querySelector('em')!.textContent).to.equal('answer');
      expect(warnings.length).to.be.greaterThan(0);
      // The stored message fails the same way after a reload, and only it.
      const again = await reload(el);
      expect(notices(again)).to.have.length(1);
      expect(answers(again)[2]!.querySelector('em')!.textContent).to.equal('answer');
      expect($(again, 'textarea')).to.exist;
    } finally {
      restore();
      console.warn = warn;
    }
  });

  it('shows a message the element cannot draw at all as its text, and draws the rest', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat endpoint="/scripted/echo?delay=0" show-tools="false"></agent-chat>`,
    );
    // Only drawing a message takes its view's element: make that throw for one message.
    const element = el as unknown as { viewFor: (part: { source: MarkdownSource }) => object };
    const viewFor = element.viewFor;
    element.viewFor = (part) => {
      const view = viewFor(part);
      if (!part.source.text.includes('BREAKS')) return view;
      return new Proxy(view, {
        get(target, key) {
          if (key === 'element') throw new TypeError('cannot read properties of undefined');
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    const warn = console.warn;
    console.warn = () => {};
    try {
      await converse(el, 'It BREAKS here');
      await converse(el, 'fine *here*');
      const [broken, fine] = answers(el);
      expect(broken!.querySelector('[part=render-notice]')).to.exist;
      expect(broken!.querySelector('.plain')!.textContent).to.equal('It BREAKS here');
      expect(fine!.querySelector('em')!.textContent).to.equal('here');
    } finally {
      element.viewFor = viewFor;
      console.warn = warn;
    }
  });

  it('drops a stored transcript it cannot read, with a warning, and one entry it cannot use', async () => {
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      sessionStorage.setItem('agent-chat:unreadable', '{"sessionId": "x", "entries": [');
      const el = await fixture<AgentChat>(html`<agent-chat id="unreadable" endpoint="/scripted/seed"></agent-chat>`);
      expect(answers(el)).to.deep.equal([]);
      expect(warnings.join('\n')).to.contain('could not be read and was dropped');
      expect(sessionStorage.getItem('agent-chat:unreadable')).to.equal(null);
      expect((await converse(el)).status).to.equal('complete');

      const entries = [
        42,
        null,
        { role: 'user', id: 'u', text: 'Hello' },
        { role: 'assistant', id: 'a', parts: 'junk', status: 'odd' },
        { role: 'user', text: { not: 'text' } },
      ];
      sessionStorage.setItem('agent-chat:junk', JSON.stringify({ sessionId: 'kept', entries }));
      const junk = await fixture<AgentChat>(html`<agent-chat id="junk" endpoint="/scripted/seed"></agent-chat>`);
      expect(junk.sessionId).to.equal('kept');
      expect($$(junk, '[part~=message-user]').map((m) => m.textContent!.trim())).to.deep.equal([
        'You: Hello',
        'You: [object Object]',
      ]);
      expect(answers(junk)).to.have.length(1);
      expect((await converse(junk)).status).to.equal('complete');
    } finally {
      console.warn = warn;
    }
  });
});
