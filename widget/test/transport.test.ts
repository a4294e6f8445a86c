/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { $, nextDone, scenarioStats, sleep, typeAndSend, waitForAlert } from './helpers.ts';

/** fetch-event-source retries after 1 s by default: wait longer than that before counting POSTs. */
const RETRY_WINDOW_MS = 1500;

/** Makes the document look hidden or visible to scripts, and says so as the browser would. */
function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('<agent-chat> transport: one send is exactly one POST', () => {
  beforeEach(() => sessionStorage.clear());

  it('does not send again after a network error before the run began (nothing to resume)', async () => {
    const before = await scenarioStats('drop-early');
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/drop-early"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal(
      'Could not reach the chat service. Check your connection and try again.',
    );
    await sleep(RETRY_WINDOW_MS);
    const after = await scenarioStats('drop-early');
    expect(after.posts).to.equal(before.posts + 1);
    expect(after.gets, 'no resume').to.equal(before.gets);
  });

  it('checks each event it receives: one that lacks a field its type requires fails the turn, and what came before stays', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/malformed"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('The chat service sent something unreadable.');
    expect($(el, '.text')!.textContent, 'what arrived stays').to.equal('The result');
  });

  it("skips events it does not know (a newer service's), and the answer completes", async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/unknown-events"></agent-chat>`);
    const seen: string[] = [];
    el.addEventListener('agent-chat-event', (e) => seen.push(e.detail.event));
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect((await done).status).to.equal('complete');
    expect(seen).to.not.include('reasoning_delta');
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
  });

  it('reads a stream whose start has no run_id (a BFF from before runs were kept) to the end', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/no-run-id"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect((await done).status).to.equal('complete');
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
    expect($(el, '[role=alert]')).to.equal(null);
  });

  it('ignores heartbeats and empty events', async () => {
    const before = (await scenarioStats('heartbeat')).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/heartbeat"></agent-chat>`);
    const seen: string[] = [];
    el.addEventListener('agent-chat-event', (e) => seen.push(e.detail.event));
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect((await done).status).to.equal('complete');
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
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
    expect($(el, '[role=alert]')).to.equal(null);
    await sleep(RETRY_WINDOW_MS);
    expect((await scenarioStats('heartbeat')).posts).to.equal(before + 1);
  });

  it('keeps streaming, without a second POST, when the tab is hidden and shown again', async () => {
    const before = (await scenarioStats('slow')).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/slow"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    try {
      setHidden(true);
      await sleep(50);
      setHidden(false);
    } finally {
      delete (document as { hidden?: boolean }).hidden;
      delete (document as { visibilityState?: string }).visibilityState;
    }
    expect((await done).status).to.equal('complete');
    await el.updateComplete;
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
    await sleep(RETRY_WINDOW_MS);
    expect((await scenarioStats('slow')).posts).to.equal(before + 1);
  });

  it('refuses an answer that is not an event stream, once', async () => {
    const before = (await scenarioStats('wrong-type')).posts;
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/wrong-type"></agent-chat>`);
    typeAndSend(el, 'Hello');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('The chat service did not answer with a stream.');
    await sleep(RETRY_WINDOW_MS);
    expect((await scenarioStats('wrong-type')).posts).to.equal(before + 1);
  });

  it('aborts the request when the element is removed from the page', async () => {
    const before = await scenarioStats('hold');
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/hold"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    el.remove();
    await waitUntil(
      async () => (await scenarioStats('hold')).aborted === before.aborted + 1,
      'the server saw the request end',
      { timeout: 5000 },
    );
    expect((await scenarioStats('hold')).posts).to.equal(before.posts + 1);
  });

  it('says what is missing when there is no endpoint, keeping the message', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat></agent-chat>`);
    typeAndSend(el, 'Hello');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('This chat has no endpoint to send to.');
    expect($(el, '[part~=message-user]')!.textContent).to.contain('Hello');
  });
});
