/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { $, $$, nextDone, reload, scenarioStats, transcriptText, typeAndSend } from './helpers.ts';

/** Every `agent-chat-event` the page hears, by name. */
function hostEvents(el: AgentChat): string[] {
  const seen: string[] = [];
  el.addEventListener('agent-chat-event', (e) => seen.push(e.detail.event));
  return seen;
}

const SEED_EVENTS = ['start', 'agent_start', 'tool_start', 'tool_end', 'token', 'token', 'token', 'message', 'done'];
const ANSWER = 'The result of 5+5 is 10.';

describe('<agent-chat> answers that outlive their connection', () => {
  beforeEach(() => sessionStorage.clear());

  it('a dropped stream is picked up again with Last-Event-ID: the whole answer once, every event once, one POST', async () => {
    const before = await scenarioStats('resumable');
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/resumable"></agent-chat>`);
    const seen = hostEvents(el);
    const errors: unknown[] = [];
    el.addEventListener('agent-chat-error', (e) => errors.push(e.detail));
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect(await done).to.deep.equal({ status: 'complete', text: ANSWER });
    await el.updateComplete;
    expect($$(el, '.text').map((t) => t.textContent)).to.deep.equal([ANSWER]);
    expect(seen).to.deep.equal(SEED_EVENTS);
    expect(errors).to.deep.equal([]);
    const after = await scenarioStats('resumable');
    expect(after.posts - before.posts, 'a resume is never a re-POST').to.equal(1);
    expect(after.gets - before.gets).to.equal(1);
    expect(after.lastEventIds.at(-1)).to.equal('resumable:5');
  });

  it('says "Reconnecting…" quietly while it tries again with backoff, and reads on when the service is back', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/resume-flaky"></agent-chat>`);
    const seen = hostEvents(el);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '[part=reconnecting]'), 'the reconnecting state', { timeout: 5000 });
    expect($(el, '[part=reconnecting]')!.textContent).to.equal('Reconnecting…');
    expect($(el, '[role=alert]'), 'a dropped stream is not an error').to.equal(null);
    expect((await done).status).to.equal('complete');
    await el.updateComplete;
    expect($(el, '[part=reconnecting]')).to.equal(null);
    expect($(el, '.text')!.textContent).to.equal(ANSWER);
    expect(seen).to.deep.equal(SEED_EVENTS);
    expect((await scenarioStats('resume-flaky')).gets).to.be.greaterThanOrEqual(3);
  });

  it('shows stopped + retry when the run is gone (404), not an error', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/drop"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    expect((await done).status).to.equal('cancelled');
    await el.updateComplete;
    expect($(el, '.stopped')!.textContent).to.equal('Stopped.');
    expect($(el, '[part=retry-button]')).to.not.equal(null);
    expect($(el, '[role=alert]')).to.equal(null);
    expect($(el, '.text')!.textContent, 'what arrived stays').to.equal('The result');
  });

  it('after a reload mid-answer, reads on from where the stored transcript ends: the answer once', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat id="reloaded" endpoint="/scripted/resume-held"></agent-chat>`);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token', { timeout: 5000 });
    const gets = (await scenarioStats('resume-held')).gets;
    const again = await reload(el);
    const seen = hostEvents(again);
    const done = nextDone(again);
    expect((await done).status).to.equal('complete');
    await again.updateComplete;
    expect($$(again, '.text').map((t) => t.textContent)).to.deep.equal([ANSWER]);
    expect(transcriptText(again).split(ANSWER).length - 1, 'the answer exactly once').to.equal(1);
    expect(seen, 'host events only for what this page had not had').to.deep.equal([
      'token',
      'token',
      'message',
      'done',
    ]);
    const after = await scenarioStats('resume-held');
    expect(after.gets - gets).to.equal(1);
    expect(after.lastEventIds.at(-1)).to.equal('resume-held:5');
    expect(after.posts).to.equal(1);
  });

  it('stop cancels the run at the BFF, then stops reading', async () => {
    const before = await scenarioStats('hold');
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/hold"></agent-chat>`);
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text'), 'the first token', { timeout: 5000 });
    $<HTMLButtonElement>(el, '[part=stop-button]')!.click();
    expect((await done).status).to.equal('cancelled');
    await waitUntil(async () => (await scenarioStats('hold')).cancels > before.cancels, 'the cancel request', {
      timeout: 5000,
    });
    const after = await scenarioStats('hold');
    expect(after.cancels - before.cancels).to.equal(1);
    expect(after.gets - before.gets, 'no resume after a stop').to.equal(0);
  });
});
