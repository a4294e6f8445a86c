/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';

const transcriptText = (el: AgentChat) => el.shadowRoot!.querySelector('[part=transcript]')!.textContent!.replace(/\s+/g, ' ');

async function typeAndSend(el: AgentChat, text: string) {
  const input = el.shadowRoot!.querySelector('textarea')!;
  input.value = text;
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
}

describe('<agent-chat>', () => {
  it('renders a labelled input, a send button and a log for the transcript', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('[part=base]')).to.exist;
    expect(root.querySelector('[part=transcript]')!.getAttribute('role')).to.equal('log');
    expect(root.querySelector('textarea')!.getAttribute('aria-label')).to.equal('Message');
    expect(root.querySelector('button[type=submit]')!.textContent!.trim()).to.equal('Send');
  });

  it('shows the user message, the tool call with its arguments and result, and the answer', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const seen: string[] = [];
    el.addEventListener('agent-chat-event', (e) => seen.push((e as CustomEvent).detail.event));
    await typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => seen.includes('done'), 'the stream finished');
    await el.updateComplete;
    const text = transcriptText(el);
    expect(text).to.contain('What is 5+5?');
    expect(text).to.contain('calculator');
    expect(text).to.contain('{"expression":"5+5"}');
    expect(el.shadowRoot!.querySelector('.tool')!.getAttribute('data-status')).to.equal('done');
    expect(el.shadowRoot!.querySelector('.tool code:last-of-type')!.textContent).to.equal('10');
    expect(text).to.contain('The result of 5+5 is 10.');
    expect(text).not.to.contain('Thinking');
    expect(seen).to.deep.equal(['start', 'agent_start', 'tool_start', 'tool_end', 'token', 'token', 'token', 'message', 'done']);
  });

  it('shows a thinking state, then the text growing token by token', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/slow"></agent-chat>`);
    const texts: string[] = [];
    el.addEventListener('agent-chat-event', async () => {
      await el.updateComplete;
      texts.push(el.shadowRoot!.querySelector('.assistant .text')?.textContent ?? '');
    });
    await typeAndSend(el, 'What is 5+5?');
    await el.updateComplete;
    expect(transcriptText(el)).to.contain('Thinking…');
    await waitUntil(() => texts.at(-1) === 'The result of 5+5 is 10.', 'the answer completed', { timeout: 5000 });
    expect(texts).to.include.members(['The result ', 'The result of 5+5 ', 'The result of 5+5 is 10.']);
  });

  it('explains an error in words and keeps the user message', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/agent-error"></agent-chat>`);
    await typeAndSend(el, 'Hello there');
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'an error is shown');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal(
      'The assistant is handling too many requests. Try again in a moment.',
    );
    expect(transcriptText(el)).to.contain('Hello there');
  });

  it("shows the server's message for a refused request, and sends once", async () => {
    const before = (await (await fetch('/scripted-posts/bad-request')).json()).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/bad-request"></agent-chat>`);
    await typeAndSend(el, 'A very long message');
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'an error is shown');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('"message" must be at most 16000 characters.');
    expect(transcriptText(el)).to.contain('A very long message');
    expect((await (await fetch('/scripted-posts/bad-request')).json()).posts).to.equal(before + 1);
  });

  it('says so when the service fails without a readable error', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/html-500"></agent-chat>`);
    await typeAndSend(el, 'Hi');
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'an error is shown');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('The chat service answered 500.');
  });

  it('reports a stream that ends before done, keeping what arrived', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/cut"></agent-chat>`);
    await typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'an error is shown');
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('The connection closed before the answer was complete.');
    expect(transcriptText(el)).to.contain('The result');
  });

  it('sends on Enter but not on Shift+Enter', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const input = el.shadowRoot!.querySelector('textarea')!;
    input.value = 'line one';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, composed: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.user')).to.equal(null);
    await typeAndSend(el, 'line one');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.user')!.textContent).to.equal('line one');
  });

  it('is accessible', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    await typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => transcriptText(el).includes('is 10.'));
    await expect(el).to.be.accessible();
  });
});
