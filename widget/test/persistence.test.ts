/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { $, converse, reload, scenarioStats, transcriptText } from './helpers.ts';

describe('<agent-chat> persistence', () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
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
    const el = await fixture<AgentChat>(html`<agent-chat id="local-chat" persist="local" endpoint="/scripted/seed"></agent-chat>`);
    await converse(el);
    const again = await reload(el);
    expect(transcriptText(again)).to.contain('What is 5+5?').and.contain('The result of 5+5 is 10.');
    expect(Object.keys(localStorage)).to.deep.equal(['agent-chat:local-chat']);
    expect(sessionStorage.length).to.equal(0);
  });

  it('keeps nothing with persist="none"', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat id="ephemeral" persist="none" endpoint="/scripted/seed"></agent-chat>`);
    await converse(el);
    const { sessionId } = el;
    const again = await reload(el);
    expect($(again, '[part~=message]')).to.equal(null);
    expect(again.sessionId).not.to.equal(sessionId);
    expect(sessionStorage.length + localStorage.length).to.equal(0);
  });

  it('keeps what had arrived of an answer cut off by a reload, shown as stopped', async () => {
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
    expect(transcriptText(again)).to.contain('What is 5+5?').and.contain('The result').and.contain('Stopped.');
    expect($(again, '[part=retry-button]')).to.exist;
    expect($(again, '[part=send-button]')).to.exist;
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
});
