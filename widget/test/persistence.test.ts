/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { MAX_STORED_CHARS, saveConversation } from '../src/persistence.ts';
import type { Entry } from '../src/transcript.ts';
import { $, $$, converse, reload, scenarioStats, transcriptText } from './helpers.ts';

const questions = (el: AgentChat) => $$(el, '[part~=message-user]').map((m) => m.textContent!.replace('You: ', ''));
const answerTexts = (el: AgentChat) => $$(el, '[part~=message-assistant] .md').map((m) => m.textContent!.slice(0, 20));

describe('<agent-chat> persistence', () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
  });

  it('keeps what it stored, and does not throw, when an entry cannot be written as JSON', () => {
    saveConversation('local', 'deep', { sessionId: 's', entries: [] });
    // Chromium writes 200,000-deep arguments; engines whose JSON.stringify recurses (Node 20's V8,
    // Firefox) throw on them. A cycle throws everywhere, so it stands in for them here.
    const args: Record<string, unknown> = {};
    args.a = args;
    const part = { kind: 'tool', id: 'c', tool: 't', args, status: 'running' };
    const entry = { role: 'assistant', parts: [part], status: 'streaming' } as unknown as Entry;
    expect(() => saveConversation('local', 'deep', { sessionId: 's', entries: [entry] })).not.to.throw();
    expect(localStorage.getItem('deep')).to.equal('{"sessionId":"s","entries":[]}');
  });

  it('keeps the transcript and session id through a reload, in this tab by default', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat id="support" endpoint="/scripted/seed"></agent-chat>`);
    await converse(el);
    const { sessionId } = el;
    const again = await reload(el);
    expect(again.sessionId).to.equal(sessionId);
    expect($(again, '[part~=message-user]')!.textContent).to.contain('What is 5+5?');
    expect($(again, '[part=tool-card]')!.dataset.status).to.equal('done');
    expect($(again, '[part=tool-card] pre:last-of-type')!.textContent).to.equal('10');
    expect($(again, '[part~=message-assistant] .md p')!.textContent).to.equal('The result of 5+5 is 10.');
    expect(Object.keys(sessionStorage)).to.deep.equal(['agent-chat:support']);
    expect(localStorage.length).to.equal(0);
    // The conversation goes on in the same session.
    await converse(again, 'What is that times 3?');
    expect((await scenarioStats('seed')).sessionId).to.equal(sessionId);
  });

  it('keeps it in this browser with persist="local"', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat id="local-chat" persist="local" endpoint="/scripted/seed"></agent-chat>`,
    );
    await converse(el);
    const again = await reload(el);
    expect(transcriptText(again)).to.contain('What is 5+5?').and.contain('The result of 5+5 is 10.');
    expect(Object.keys(localStorage)).to.deep.equal(['agent-chat:local-chat']);
    expect(sessionStorage.length).to.equal(0);
  });

  it('keeps nothing with persist="none"', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat id="ephemeral" persist="none" endpoint="/scripted/seed"></agent-chat>`,
    );
    await converse(el);
    const { sessionId } = el;
    const again = await reload(el);
    expect($(again, '[part~=message]')).to.equal(null);
    expect(again.sessionId).not.to.equal(sessionId);
    expect(sessionStorage.length + localStorage.length).to.equal(0);
  });

  it('keeps what had arrived of an answer cut off by a reload, shown as stopped once its run is gone', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat id="cut-off" endpoint="/scripted/hold"></agent-chat>`);
    el.send('What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent === 'The result', 'the first token shows', { timeout: 5000 });
    dispatchEvent(new PageTransitionEvent('pagehide'));
    // What the page saved as it went away; a real reload ends the page before anything else is written.
    const saved = sessionStorage.getItem('agent-chat:cut-off')!;
    expect(saved).to.contain('"status":"streaming"').and.contain('The result ');
    el.remove();
    sessionStorage.setItem('agent-chat:cut-off', saved);
    const again = await fixture<AgentChat>(html`<agent-chat id="cut-off" endpoint="/scripted/hold"></agent-chat>`);
    // It asks the BFF for the rest of the run, which (here) it no longer has.
    await waitUntil(() => transcriptText(again).includes('Stopped.'), 'the turn to show stopped', { timeout: 5000 });
    expect(transcriptText(again)).to.contain('What is 5+5?').and.contain('The result');
    expect($(again, '[part=retry-button]')).to.exist;
    expect($(again, '[part=send-button]')).to.exist;
    expect($(again, '[role=alert]')).to.equal(null);
  });

  it('shows a turn stored as streaming without its run (an older version stored it) as stopped at once', async () => {
    sessionStorage.setItem(
      'agent-chat:old',
      JSON.stringify({
        sessionId: 's',
        entries: [
          { role: 'user', id: 'u', text: 'Hi' },
          { role: 'assistant', id: 'a', parts: [{ kind: 'text', source: 'Hel' }], status: 'streaming' },
        ],
      }),
    );
    const el = await fixture<AgentChat>(html`<agent-chat id="old" endpoint="/scripted/seed"></agent-chat>`);
    expect(transcriptText(el)).to.contain('Hel').and.contain('Stopped.');
  });

  it('forgets the conversation on "New conversation"', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat id="fresh" endpoint="/scripted/seed"></agent-chat>`);
    await converse(el);
    const { sessionId } = el;
    $(el, '[part=new-button]')!.click();
    const again = await reload(el);
    expect($(again, '[part~=message]')).to.equal(null);
    expect(again.sessionId).not.to.equal(sessionId);
  });

  it('starts afresh when the stored conversation cannot be read', async () => {
    sessionStorage.setItem('agent-chat:broken', '{"sessionId": "x", "entries": {"not": "a list"}}');
    const el = await fixture<AgentChat>(html`<agent-chat id="broken" endpoint="/scripted/seed"></agent-chat>`);
    expect($(el, '[part~=message]')).to.equal(null);
    await converse(el);
    expect($(el, '.text')!.textContent).to.equal('The result of 5+5 is 10.');
  });

  it(`keeps the newest turns within ${MAX_STORED_CHARS.toLocaleString('en-US')} characters, leaving out the oldest`, async function () {
    this.timeout(60_000);
    const el = await fixture<AgentChat>(
      html`<agent-chat id="bounded" persist="local" endpoint="/scripted/big?chars=300000"></agent-chat>`,
    );
    for (let i = 1; i <= 5; i++) await converse(el, `answer ${i}`);
    expect(localStorage.getItem('agent-chat:bounded')!.length).to.be.at.most(MAX_STORED_CHARS);
    const { sessionId } = el;
    const again = await reload(el);
    expect(again.sessionId).to.equal(sessionId);
    expect(questions(again)).to.deep.equal(['answer 3', 'answer 4', 'answer 5']);
    expect(answerTexts(again)).to.deep.equal(['answer 3: lorem ipsu', 'answer 4: lorem ipsu', 'answer 5: lorem ipsu']);
  });

  it('keeps the newest answer even when it alone is over the bound (five answers of 1.5 MB)', async function () {
    this.timeout(60_000);
    const el = await fixture<AgentChat>(
      html`<agent-chat id="huge" persist="local" endpoint="/scripted/big?chars=1500000"></agent-chat>`,
    );
    for (let i = 1; i <= 5; i++) await converse(el, `answer ${i}`);
    const again = await reload(el);
    expect(questions(again)).to.deep.equal(['answer 5']);
    expect($(again, '[part~=message-assistant] .md')!.textContent!.length).to.equal(1_500_000);
  });

  it("keeps the newest turns when the browser's storage quota is reached", async function () {
    this.timeout(60_000);
    // The host site's own data fills the real quota but for 500,000 to 750,000 characters: less than
    // the bound would keep (six of these turns), so the quota decides.
    const chunk = 'x'.repeat(250_000);
    let fillers = 0;
    try {
      for (;;) localStorage.setItem(`host-data-${fillers++}`, chunk);
    } catch (error) {
      expect((error as DOMException).name).to.equal('QuotaExceededError');
      fillers--;
    }
    localStorage.removeItem(`host-data-${--fillers}`);
    localStorage.removeItem(`host-data-${--fillers}`);
    try {
      const el = await fixture<AgentChat>(
        html`<agent-chat id="quota" persist="local" endpoint="/scripted/big?chars=150000"></agent-chat>`,
      );
      for (let i = 1; i <= 8; i++) await converse(el, `answer ${i}`);
      const again = await reload(el);
      const kept = questions(again);
      expect(kept.length).to.be.within(1, 4);
      expect(kept).to.deep.equal(Array.from({ length: kept.length }, (_, i) => `answer ${8 - kept.length + 1 + i}`));
      expect(answerTexts(again).at(-1)).to.equal('answer 8: lorem ipsu');
      // The host's data was left alone.
      expect(localStorage.getItem('host-data-0')).to.equal(chunk);
    } finally {
      for (let i = 0; i < fillers; i++) localStorage.removeItem(`host-data-${i}`);
    }
  });
});
