/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { DEFAULT_STRINGS } from '../src/strings.ts';
import { $, $$, nextDone, scenarioStats, sleep, transcriptText, typeAndSend, waitForAlert } from './helpers.ts';
import { chatError } from '../../protocol/chat-errors.ts';

describe('<agent-chat>', () => {
  beforeEach(() => sessionStorage.clear());

  it('renders a labelled input, a send button, a log for the transcript and a separate polite live region', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    for (const part of ['base', 'header', 'heading', 'transcript', 'composer', 'input', 'send-button'])
      expect($(el, `[part~=${part}]`), part).to.exist;
    const log = $(el, '[part=transcript]')!;
    expect(log.getAttribute('role')).to.equal('log');
    // The log itself must not announce every token: a separate region announces finished answers.
    expect(log.getAttribute('aria-live')).to.equal('off');
    expect($(el, '[role=status]')!.closest('[part=transcript]')).to.equal(null);
    expect($(el, 'textarea')!.getAttribute('aria-label')).to.equal('Message');
    expect($(el, '[part=send-button]')!.textContent!.trim()).to.equal('Send');
    expect($(el, '[part=heading]')!.textContent).to.equal('Chat');
  });

  it('shows the user message, a collapsed tool card with name, arguments, status and result, and the answer', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const seen: string[] = [];
    el.addEventListener('agent-chat-event', (e) => seen.push(e.detail.event));
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect((await done).status).to.equal('complete');
    await el.updateComplete;
    const text = transcriptText(el);
    expect($(el, '[part~=message-user]')!.textContent).to.contain('What is 5+5?');
    const card = $<HTMLDetailsElement>(el, '[part=tool-card]')!;
    expect(card.open, 'collapsed by default').to.equal(false);
    expect(card.dataset.status).to.equal('done');
    expect(card.querySelector('summary')!.textContent)
      .to.contain('calculator')
      .and.contain('{"expression":"5+5"}')
      .and.contain('done');
    expect(card.querySelector('pre code')!.textContent).to.equal('{\n  "expression": "5+5"\n}');
    expect(card.querySelector('pre:last-of-type code')!.textContent).to.equal('10');
    expect($(el, '[part~=message-assistant] .text')!.textContent).to.equal('The result of 5+5 is 10.');
    expect(text).not.to.contain('Thinking');
    expect(seen).to.deep.equal([
      'start',
      'agent_start',
      'tool_start',
      'tool_end',
      'token',
      'token',
      'token',
      'message',
      'done',
    ]);
  });

  it('pairs each result with its call by id, and shows a failed call as failed', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/parallel"></agent-chat>`);
    const done = nextDone(el);
    el.send('What are 2*3 and 1/0?');
    await done;
    await el.updateComplete;
    const cards = $$<HTMLDetailsElement>(el, '[part=tool-card]').map((card) => ({
      args: card.querySelector('summary code')!.textContent,
      status: card.dataset.status,
      shown: card.querySelector('.status')!.textContent,
      outcome: card.querySelector('pre:last-of-type')!.textContent,
    }));
    expect(cards).to.deep.equal([
      { args: '{"expression":"2*3"}', status: 'done', shown: 'done', outcome: '6' },
      { args: '{"expression":"1/0"}', status: 'failed', shown: 'failed', outcome: 'Division by zero' },
    ]);
  });

  it('shows a thinking state, then the text growing while the stream is still open', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/slow"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await el.updateComplete;
    expect($(el, '[part=thinking]')!.textContent).to.equal('Thinking…');
    // The scenario pauses after its first token: the text shows before the answer is complete.
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    expect($(el, '[part=stop-button]'), 'still streaming').to.exist;
    await waitUntil(() => $(el, '.text')!.textContent === 'The result of 5+5 is 10.', 'the answer completed', {
      timeout: 5000,
    });
  });

  it('renders the answer as markdown', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/echo?size=3"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'Some **bold** text\n\n- one\n- two\n\n```js\nlet x = 1;\n```');
    await done;
    const answer = $(el, '[part~=message-assistant] .md')!;
    expect(answer.querySelector('strong')!.textContent).to.equal('bold');
    expect([...answer.querySelectorAll('li')].map((li) => li.textContent)).to.deep.equal(['one', 'two']);
    expect(answer.querySelector('[part=code-block] code')!.textContent).to.equal('let x = 1;');
    // The user's own message is shown as typed, not as markdown.
    expect($(el, '[part~=message-user]')!.textContent).to.contain('Some **bold** text');
  });

  it('copies a code block from an answer, and says so', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/echo?delay=0"></agent-chat>`);
    const done = nextDone(el);
    el.send('```sh\nnpm start\n```');
    await done;
    const button = $(el, '[part~=message-assistant] [part=copy-button]')!;
    const label = () =>
      [...button.querySelectorAll('span')]
        .filter((span) => getComputedStyle(span).display !== 'none')
        .map((span) => span.textContent);
    expect(label()).to.deep.equal(['Copy']);
    await navigator.clipboard.writeText('before');
    button.click();
    await waitUntil(() => label()[0] === 'Copied', 'the button says it copied');
    expect(label()).to.deep.equal(['Copied']);
    expect(await navigator.clipboard.readText()).to.equal('npm start');
  });

  it('explains an error in words and keeps the user message', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/agent-error"></agent-chat>`);
    typeAndSend(el, 'Hello there');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal(
      'The assistant is handling too many requests. Try again in a moment.',
    );
    expect($(el, '[role=alert]')!.getAttribute('part')).to.equal('error');
    expect(transcriptText(el)).to.contain('Hello there');
  });

  it("shows the server's message for a refused request, and sends once", async () => {
    const before = (await scenarioStats('bad-request')).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/bad-request"></agent-chat>`);
    typeAndSend(el, 'A very long message');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('"message" must be at most 16000 characters.');
    expect(transcriptText(el)).to.contain('A very long message');
    expect((await scenarioStats('bad-request')).posts).to.equal(before + 1);
  });

  it('says so when the service fails without a readable error', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/html-500"></agent-chat>`);
    typeAndSend(el, 'Hi');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('The chat service answered 500.');
  });

  it('reads on when a stream ends before done, and reports what cannot be read on, keeping what arrived', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/cut"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect(await done).to.deep.equal({ status: 'complete', text: 'The result of 5+5 is 10.' });
    const unreadable = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/cut-unreadable"></agent-chat>`);
    typeAndSend(unreadable, 'What is 5+5?');
    await waitForAlert(unreadable);
    expect($(unreadable, '[role=alert]')!.textContent).to.equal('The chat service did not answer with a stream.');
    expect(transcriptText(unreadable)).to.contain('The result');
  });

  it('sends on Enter, and Shift+Enter makes a new line', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    $(el, 'textarea')!.focus();
    await sendKeys({ type: 'line one' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'line two' });
    expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('line one\nline two');
    expect($(el, '[part~=message-user]')).to.equal(null);
    const done = nextDone(el);
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect($(el, '[part~=message-user]')!.textContent).to.contain('line one\nline two');
    expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('');
    await done;
  });

  it('opens and closes a tool card from the keyboard', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await done;
    const card = $<HTMLDetailsElement>(el, '[part=tool-card]')!;
    card.querySelector('summary')!.focus();
    await sendKeys({ press: 'Enter' });
    expect(card.open).to.equal(true);
    await sendKeys({ press: 'Space' });
    expect(card.open).to.equal(false);
  });

  it('hides tool cards with show-tools="false" and still shows the answer', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed" show-tools="false"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await done;
    await el.updateComplete;
    expect($(el, '[part=tool-card]')).to.equal(null);
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
    el.setAttribute('show-tools', '');
    await el.updateComplete;
    expect($(el, '[part=tool-card]')).to.exist;
  });

  it('stops a streaming answer: the request is aborted, what arrived stays, and retry sends it again', async () => {
    const before = await scenarioStats('hold');
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/hold"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    const done = nextDone(el);
    $(el, '[part=stop-button]')!.click();
    expect((await done).status).to.equal('cancelled');
    await el.updateComplete;
    await waitUntil(
      async () => (await scenarioStats('hold')).aborted === before.aborted + 1,
      'the server saw the request end',
    );
    expect(transcriptText(el)).to.contain('What is 5+5?').and.contain('The result').and.contain('Stopped.');
    expect($<HTMLDetailsElement>(el, '[part=tool-card]')!.dataset.status, 'the tool is done').to.equal('done');
    expect($(el, '[part=send-button]')).to.exist;
    expect($(el, '[part=stop-button]')).to.equal(null);
    $(el, '[part=retry-button]')!.click();
    await waitUntil(
      async () => (await scenarioStats('hold')).posts === before.posts + 2,
      'retry sent the message again',
    );
    el.stop();
  });

  it('retries a failed message: the answer replaces the error and the message is not repeated', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/flaky"></agent-chat>`);
    const before = (await scenarioStats('flaky')).posts;
    typeAndSend(el, 'What is 5+5?');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal(chatError('shutting_down').message);
    const done = nextDone(el);
    $(el, '[part=retry-button]')!.click();
    expect((await done).status).to.equal('complete');
    await el.updateComplete;
    expect($$(el, '[part~=message-user]')).to.have.length(1);
    expect($(el, '[role=alert]')).to.equal(null);
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
    expect((await scenarioStats('flaky')).posts).to.equal(before + 2);
  });

  it('keeps the typed text when the page cancels agent-chat-send, and sends nothing', async () => {
    const before = (await scenarioStats('seed')).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const cancel = (e: Event) => e.preventDefault();
    document.addEventListener('agent-chat-send', cancel);
    try {
      typeAndSend(el, 'Not yet');
      await el.updateComplete;
    } finally {
      document.removeEventListener('agent-chat-send', cancel);
    }
    expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('Not yet');
    expect($(el, '[part~=message]')).to.equal(null);
    await sleep(100);
    expect((await scenarioStats('seed')).posts).to.equal(before);
  });

  it('tells the page about each send, event, error and end, in bubbling composed events', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/agent-error"></agent-chat>`);
    const seen: CustomEvent[] = [];
    const names = ['agent-chat-send', 'agent-chat-event', 'agent-chat-error', 'agent-chat-done'];
    const record = (e: Event) => seen.push(e as CustomEvent);
    for (const name of names) document.addEventListener(name, record);
    try {
      expect(el.send('Hello')).to.equal(true);
      await waitUntil(() => seen.some((e) => e.type === 'agent-chat-done'), 'the run ended');
    } finally {
      for (const name of names) document.removeEventListener(name, record);
    }
    expect(seen.every((e) => e.bubbles && e.composed)).to.equal(true);
    expect(seen.map((e) => e.type)).to.deep.equal([
      'agent-chat-send',
      ...Array(4).fill('agent-chat-event'),
      'agent-chat-error',
      'agent-chat-done',
    ]);
    expect(seen[0]!.detail).to.deep.equal({ message: 'Hello', retry: false });
    expect(seen[0]!.cancelable).to.equal(true);
    expect(seen[3]!.detail).to.deep.equal({
      event: 'error',
      data: {
        code: 'throttled',
        message: 'The assistant is handling too many requests. Try again in a moment.',
        retryable: true,
      },
    });
    expect(seen[5]!.detail).to.deep.equal({
      code: 'throttled',
      message: 'The assistant is handling too many requests. Try again in a moment.',
      retryable: true,
    });
    expect(seen[6]!.detail).to.deep.equal({ status: 'error', text: '' });
  });

  it('sends the headers and getHeaders() of the host page with the request', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    el.headers = { authorization: 'Bearer site-token' };
    el.getHeaders = async () => ({ 'x-fresh-token': 'fresh-1' });
    const done = nextDone(el);
    el.send('What is 5+5?');
    await done;
    const { headers } = await scenarioStats('seed');
    expect(headers!.authorization).to.equal('Bearer site-token');
    expect(headers!['x-fresh-token']).to.equal('fresh-1');
    expect(headers!['content-type']).to.equal('application/json');
  });

  it('shows a clear error and keeps the message when getHeaders() fails', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    el.getHeaders = () => Promise.reject(new Error('token expired'));
    el.send('What is 5+5?');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('Could not prepare the request to the chat service.');
    expect(transcriptText(el)).to.contain('What is 5+5?');
  });

  it('announces a finished answer in the live region, not each token', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/slow"></agent-chat>`);
    const status = $(el, '[role=status]')!;
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    expect(status.textContent).to.equal('');
    await nextDone(el);
    await el.updateComplete;
    expect(status.textContent).to.equal('Assistant: The result of 5+5 is 10.');
  });

  it('follows the stream only while the reader is at the bottom, and offers a jump to the latest', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat endpoint="/scripted/echo?size=12&delay=15" style="--agent-chat-height: 16rem"></agent-chat>`,
    );
    const log = $(el, '[part=transcript]')!;
    const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 2;
    // Sees each frame in which the transcript grew, right after the widget reacted to it.
    let frames: Array<{ top: number; bottom: boolean }> = [];
    const probe = new ResizeObserver(() => frames.push({ top: log.scrollTop, bottom: atBottom() }));
    probe.observe(log.firstElementChild!);
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1} of a long answer.`).join('\n\n');
    const done = nextDone(el);
    el.send(long);
    try {
      const paragraphs = () => $(el, '.md')?.querySelectorAll('p').length ?? 0;
      await waitUntil(() => paragraphs() >= 12, 'a good part of the answer arrived', { timeout: 5000 });
      expect(frames.length).to.be.greaterThan(5);
      expect(
        frames.every((f) => f.bottom),
        'at the bottom after every frame that grew',
      ).to.equal(true);
      expect($(el, '[part=jump-button]')).to.equal(null);

      log.scrollTop = 0;
      await waitUntil(() => $(el, '[part=jump-button]'), 'the jump button shows');
      frames = [];
      const seen = paragraphs();
      await waitUntil(() => paragraphs() >= seen + 5, 'more text arrived', { timeout: 5000 });
      expect(frames.length).to.be.greaterThan(0);
      expect(
        frames.every((f) => f.top === 0),
        'stays where the reader is',
      ).to.equal(true);

      $(el, '[part=jump-button]')!.click();
      await el.updateComplete;
      expect(atBottom()).to.equal(true);
      expect($(el, '[part=jump-button]')).to.equal(null);
      expect(el.shadowRoot!.activeElement, 'focus moves to the transcript').to.equal(log);
      frames = [];
      await done;
      await el.updateComplete;
      expect(
        frames.every((f) => f.bottom),
        'followed again to the end',
      ).to.equal(true);
    } finally {
      probe.disconnect();
    }
  });

  it('starts a new conversation with a new session id', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    let done = nextDone(el);
    el.send('What is 5+5?');
    await done;
    const first = (await scenarioStats('seed')).sessionId;
    expect(first).to.equal(el.sessionId);
    $(el, '[part=new-button]')!.click();
    await el.updateComplete;
    expect($(el, '[part~=message]')).to.equal(null);
    expect(el.sessionId).not.to.equal(first);
    done = nextDone(el);
    el.send('What is 5+5?');
    await done;
    expect((await scenarioStats('seed')).sessionId).to.equal(el.sessionId);
  });

  it('lets the page override every word it shows', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat endpoint="/scripted/cut-unreadable" heading="Assistance" placeholder="Demandez…"></agent-chat>`,
    );
    const strings = Object.fromEntries(Object.keys(DEFAULT_STRINGS).map((key) => [key, `«${key}»`]));
    el.strings = strings;
    const done = nextDone(el);
    el.send('What is 5+5?');
    await done;
    await el.updateComplete;
    // Attributes win over `strings` for the common ones.
    expect($(el, '[part=heading]')!.textContent).to.equal('Assistance');
    expect($(el, 'textarea')!.getAttribute('placeholder')).to.equal('Demandez…');
    expect($(el, '[part=send-button]')!.textContent!.trim()).to.equal('«send»');
    expect($(el, '[part=new-button]')!.textContent!.trim()).to.equal('«newConversation»');
    expect($(el, '[part=retry-button]')!.textContent).to.equal('«retry»');
    expect($(el, '[role=alert]')!.textContent).to.equal('«errorBadContentType»');
    expect($(el, 'textarea')!.getAttribute('aria-label')).to.equal('«inputLabel»');
    expect($(el, '[part=transcript]')!.getAttribute('aria-label')).to.equal('«transcript»');
    expect($(el, '[part=tool-card] .status')!.textContent).to.equal('«toolDone»');
    expect($(el, '[part=tool-card] .label')!.textContent).to.equal('«toolArguments»');
    // Every visible word outside the messages themselves is one of the page's.
    const chrome = [...el.shadowRoot!.querySelectorAll('*')].filter(
      (node) =>
        !node.closest('[part~=message-user], .md, pre, summary .name, summary code') &&
        node.childElementCount === 0 &&
        node.textContent!.trim(),
    );
    expect(chrome.length).to.be.at.least(8);
    for (const node of chrome) expect(node.textContent!.trim()).to.match(/^«\w+»:?$|^Assistance$/, node.outerHTML);
  });

  it('is accessible while it shows a conversation', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/echo"></agent-chat>`);
    const done = nextDone(el);
    el.send(
      '# Title\n\nSome *text* with [a link](https://example.com/).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```',
    );
    await done;
    $<HTMLDetailsElement>(el, '[part=tool-card]')!.open = true;
    await expect(el).to.be.accessible();
  });
});
