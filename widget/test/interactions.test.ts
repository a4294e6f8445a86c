/// <reference types="mocha" />
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../src/agent-chat.ts';
import type { AgentChat, PageToolHandler } from '../src/agent-chat.ts';
import type { ChatRequest } from '../../protocol/chat-events.ts';
import { $, $$, nextDone, reload, scenarioStats, sleep, transcriptText, typeAndSend } from './helpers.ts';

/** The bodies the scripted BFF received for `scenario` since `from` requests. */
const bodiesSince = async (scenario: string, from: number): Promise<ChatRequest[]> =>
  ((await scenarioStats(scenario)) as unknown as { bodies: ChatRequest[] }).bodies.slice(from);
const postsSoFar = async (scenario: string) => (await scenarioStats(scenario)).posts;

/** Sends `text` from the input (focused, as a user's would be) and waits for the run to end. */
async function say(el: AgentChat, text: string): Promise<string> {
  $<HTMLTextAreaElement>(el, 'textarea')!.focus();
  const done = nextDone(el);
  typeAndSend(el, text);
  const { status } = await done;
  await el.updateComplete;
  return status;
}

/** Clicks a button and waits for the run it starts to end. */
async function clickAndWait(el: AgentChat, button: HTMLElement): Promise<string> {
  const done = nextDone(el);
  button.click();
  const { status } = await done;
  await el.updateComplete;
  return status;
}

const card = (el: AgentChat) => $(el, '[part=approval-card]')!;
const accent = (handler: PageToolHandler['handler']): PageToolHandler => ({
  name: 'set_accent_color',
  description: "Sets the page's accent colour.",
  parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
  handler,
});

describe('<agent-chat> approvals', () => {
  beforeEach(() => sessionStorage.clear());

  it('pauses on an approval card (why, the call, a labelled note, Approve / Deny), announces it and moves the focus to Approve', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval"></agent-chat>`);
    expect(await say(el, 'Save a note: buy milk')).to.equal('interrupted');
    await sleep(0);
    const approval = card(el);
    expect(approval.getAttribute('role')).to.equal('group');
    expect(approval.getAttribute('aria-label')).to.equal('Approval needed');
    expect(approval.textContent).to.contain('Save the note "buy milk"?');
    expect(approval.querySelector('pre')!.textContent).to.equal('save_note {\n  "text": "buy milk"\n}');
    expect($(el, '[part=approval-note]')!.getAttribute('aria-label')).to.equal('Comment (optional)');
    expect(el.shadowRoot!.activeElement!.getAttribute('part')).to.equal('approve-button');
    expect($(el, '[role=status]')!.textContent).to.equal('Approval needed: Save the note "buy milk"?');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('waiting');
    expect($(el, '[part=thinking]'), 'not thinking: waiting for the user').to.equal(null);
    expect($(el, '[part=send-button]'), 'the user may also just write on').to.exist;
  });

  it('approves with one POST {session_id, resume: {id, approved: true}}, and the same answer goes on under the card', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    const before = await postsSoFar('approval');
    expect(await clickAndWait(el, $(el, '[part=approve-button]')!)).to.equal('complete');
    expect(await bodiesSince('approval', before)).to.deep.equal([
      { resume: { id: 'call_save', approved: true }, session_id: el.sessionId },
    ]);
    expect(el.shadowRoot!.activeElement, 'the focus goes back to the input').to.equal($(el, 'textarea'));
    expect($$(el, '[part~=message-assistant]')).to.have.length(1);
    expect(card(el).textContent).to.contain('Approved');
    expect($(el, '[part=approve-button]'), 'answered once').to.equal(null);
    const tool = $(el, '[part=tool-card]')!;
    expect(tool.dataset.status).to.equal('done');
    expect(tool.textContent).to.contain('Saved note 1: buy milk');
    expect(transcriptText(el)).to.contain('Let me save that.').and.contain('I saved your note.');
  });

  it('denies with a note: the resume carries it, the card and the tool card show the denial', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    const before = await postsSoFar('approval');
    $<HTMLInputElement>(el, '[part=approval-note]')!.value = '  not now ';
    await clickAndWait(el, $(el, '[part=deny-button]')!);
    expect((await bodiesSince('approval', before))[0]!.resume).to.deep.equal({
      id: 'call_save',
      approved: false,
      note: 'not now',
    });
    expect(card(el).textContent).to.contain('Declined: not now');
    const tool = $(el, '[part=tool-card]')!;
    expect(tool.dataset.status).to.equal('failed');
    expect(tool.textContent).to.contain('The user declined this call. Their note: "not now"');
  });

  it('keeps a waiting card through a reload, answerable there', async () => {
    let el = await fixture<AgentChat>(html`<agent-chat id="reloaded" endpoint="/scripted/approval"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    const sessionId = el.sessionId;
    el = await reload(el);
    await el.updateComplete;
    expect(card(el).textContent).to.contain('Save the note "buy milk"?');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('waiting');
    const before = await postsSoFar('approval');
    expect(await clickAndWait(el, $(el, '[part=approve-button]')!)).to.equal('complete');
    expect(await bodiesSince('approval', before)).to.deep.equal([
      { resume: { id: 'call_save', approved: true }, session_id: sessionId },
    ]);
    expect(card(el).textContent).to.contain('Approved');
  });

  it('sends a new message while a card waits: the card closes, and the tool_end that declines the call marks it', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/moved-on"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    const before = await postsSoFar('moved-on');
    expect(await say(el, 'What is 2+2?')).to.equal('complete');
    expect((await bodiesSince('moved-on', before))[0]).to.deep.equal({
      message: 'What is 2+2?',
      session_id: el.sessionId,
      history: [
        { role: 'user', content: 'Save a note: buy milk' },
        { role: 'assistant', content: 'Let me save that.' },
      ],
    });
    expect($(el, '[part=approve-button]')).to.equal(null);
    const tool = $(el, '[part=tool-card]')!;
    expect(tool.dataset.status).to.equal('failed');
    expect(tool.textContent).to.contain('Not run: the user moved on');
    expect(transcriptText(el)).to.contain('2+2 is 4.');
  });

  it("reads on the answer's own run when its stream drops: the resume is a run of its own", async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval-drop"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    const { gets } = (await scenarioStats('approval-drop')) as unknown as { gets: number };
    expect(await clickAndWait(el, $(el, '[part=approve-button]')!)).to.equal('complete');
    const stats = (await scenarioStats('approval-drop')) as unknown as { gets: number; lastEventIds: string[] };
    expect(stats.gets - gets).to.equal(1);
    expect(stats.lastEventIds.at(-1)).to.equal('approval-drop:3');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('done');
    expect(transcriptText(el).match(/I saved your note\./g)).to.have.length(1);
  });

  it('shows the approval card when tool cards are hidden (show-tools="false")', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat show-tools="false" endpoint="/scripted/approval"></agent-chat>`,
    );
    await say(el, 'Save a note: buy milk');
    expect($(el, '[part=tool-card]')).to.equal(null);
    expect(card(el).textContent).to.contain('save_note');
    expect(await clickAndWait(el, $(el, '[part=approve-button]')!)).to.equal('complete');
  });

  it('drops a card whose answer the agent refuses (a resume after the session was forgotten): an error, not a card forever', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval"></agent-chat>`);
    await say(el, 'Save a note: buy milk');
    el.endpoint = '/scripted/agent-error';
    expect(await clickAndWait(el, $(el, '[part=approve-button]')!)).to.equal('error');
    expect($(el, '[part=approve-button]')).to.equal(null);
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('cancelled');
    expect($(el, '[part=error]')).to.exist;
  });
});

describe('<agent-chat> page tools', () => {
  beforeEach(() => sessionStorage.clear());

  it("runs the page's handler with the model's arguments and resumes with its result; every request carries the tools", async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/page-tool"></agent-chat>`);
    const calls: unknown[] = [];
    el.tools = [
      accent((args) => {
        calls.push(args);
        return `The accent colour is now ${args.color}.`;
      }),
    ];
    const before = await postsSoFar('page-tool');
    const statuses: string[] = [];
    el.addEventListener('agent-chat-done', (e) => statuses.push(e.detail.status));
    await say(el, 'Make the page green');
    await waitUntil(() => statuses.length === 2, 'the resume ran', { timeout: 5000 });
    expect(statuses).to.deep.equal(['interrupted', 'complete']);
    expect(calls).to.deep.equal([{ color: 'green' }]);
    const tools = [
      {
        name: 'set_accent_color',
        description: "Sets the page's accent colour.",
        parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
      },
    ];
    expect(await bodiesSince('page-tool', before)).to.deep.equal([
      { message: 'Make the page green', session_id: el.sessionId, tools },
      { resume: { id: 'call_accent', result: 'The accent colour is now green.' }, session_id: el.sessionId, tools },
    ]);
    await el.updateComplete;
    const tool = $(el, '[part=tool-card]')!;
    expect(tool.dataset.status).to.equal('done');
    expect(tool.textContent).to.contain('The accent colour is now green.');
    expect(transcriptText(el)).to.contain('Done.');
  });

  /** Runs the page-tool scenario with `tools` and returns what the resume answered. */
  async function outcomeWith(el: AgentChat): Promise<ChatRequest['resume']> {
    const before = await postsSoFar('page-tool');
    let ended = 0;
    el.addEventListener('agent-chat-done', () => ended++);
    await say(el, 'Make the page green');
    await waitUntil(() => ended === 2, 'the resume ran', { timeout: 5000 });
    await el.updateComplete;
    return (await bodiesSince('page-tool', before))[1]!.resume;
  }

  it('reports a handler that throws as the call’s error; the widget goes on', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/page-tool"></agent-chat>`);
    el.tools = [
      accent(() => {
        throw new Error('No such colour.');
      }),
    ];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', error: 'No such colour.' });
    const tool = $(el, '[part=tool-card]')!;
    expect(tool.dataset.status).to.equal('failed');
    expect(tool.textContent).to.contain('No such colour.');
    expect(await say(el, 'Make the page green'), 'still usable').to.equal('interrupted');
  });

  it('times a handler out after tool-timeout ms, and a rejection or a value JSON cannot hold is an error too', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat tool-timeout="150" endpoint="/scripted/page-tool"></agent-chat>`,
    );
    el.tools = [accent(() => new Promise(() => {}))];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', error: 'The tool did not answer within 150 ms.' });
    el.tools = [accent(() => Promise.reject('nope'))];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', error: 'nope' });
    el.tools = [
      accent(() => {
        throw Object.create(null); // String() of it throws
      }),
    ];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', error: 'The tool failed.' });
    el.tools = [accent(() => 10n)];
    expect((await outcomeWith(el)) as { error: string })
      .to.have.property('error')
      .that.matches(/BigInt/);
  });

  it('sends a result as JSON unless it is text, cut at 8,000 characters', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/page-tool"></agent-chat>`);
    el.tools = [accent(async () => ({ ok: true, colour: 'green' }))];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', result: '{"ok":true,"colour":"green"}' });
    el.tools = [accent(() => 'x'.repeat(20_000))];
    expect(await outcomeWith(el)).to.deep.equal({ id: 'call_accent', result: 'x'.repeat(8000) });
  });

  it('shows the call running while the handler runs; a message sent meanwhile wins, and the late outcome is not sent', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/page-tool"></agent-chat>`);
    const pending: Array<(value: string) => void> = [];
    el.tools = [accent(() => new Promise((resolve) => pending.push(resolve)))];
    const before = await postsSoFar('page-tool');
    expect(await say(el, 'Make the page green')).to.equal('interrupted');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('running');
    expect(await say(el, 'Make the page red')).to.equal('interrupted');
    expect($(el, '[part=tool-card]')!.dataset.status, 'the first call: the user moved on').to.equal('cancelled');
    const done = nextDone(el);
    pending[0]!('late');
    pending[1]!('second');
    expect((await done).status).to.equal('complete');
    const bodies = await bodiesSince('page-tool', before);
    expect(bodies.map((b) => b.message ?? b.resume)).to.deep.equal([
      'Make the page green',
      'Make the page red',
      { id: 'call_accent', result: 'second' },
    ]);
    expect(pending, 'each pause ran the handler once').to.have.length(2);
  });

  it('answers a call of a tool the page does not have with an error', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/page-tool"></agent-chat>`);
    expect(await outcomeWith(el)).to.deep.equal({
      id: 'call_accent',
      error: 'This page has no tool "set_accent_color".',
    });
  });
});

describe('<agent-chat> feedback', () => {
  beforeEach(() => sessionStorage.clear());

  it('rates a finished answer: thumbs with labels, the host event, one POST beside the endpoint with the site headers', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    el.headers = { authorization: 'Bearer site-token' };
    expect(await say(el, 'What is 5+5?')).to.equal('complete');
    const [up, down] = $$(el, '[part~=message-assistant] [part=feedback] [part=rate-button]');
    expect([up!.getAttribute('aria-label'), down!.getAttribute('aria-label')]).to.deep.equal([
      'Good answer',
      'Bad answer',
    ]);
    expect(up!.getAttribute('aria-pressed')).to.equal('false');
    const heard: unknown[] = [];
    el.addEventListener('agent-chat-feedback', (e) => heard.push(e.detail));
    const before = await postsSoFar('feedback');
    down!.click();
    await el.updateComplete;
    expect(heard).to.deep.equal([{ runId: 'seed', rating: 'down', comment: '' }]);
    expect(down!.getAttribute('aria-pressed')).to.equal('true');
    await waitUntil(async () => (await postsSoFar('feedback')) > before, 'the rating was POSTed', { timeout: 5000 });
    expect(await bodiesSince('feedback', before)).to.deep.equal([{ run_id: 'seed', rating: 'down' }]);
    expect((await scenarioStats('feedback')).headers!.authorization).to.equal('Bearer site-token');

    // The comment goes the same way, with the same rating; then its form goes.
    const input = $<HTMLInputElement>(el, '[part=feedback-input]')!;
    expect(input.getAttribute('aria-label')).to.equal('Comment (optional)');
    input.value = ' Wrong time zone. ';
    $(el, '[part=feedback-send]')!.click();
    await el.updateComplete;
    expect(heard[1]).to.deep.equal({ runId: 'seed', rating: 'down', comment: 'Wrong time zone.' });
    await waitUntil(async () => (await postsSoFar('feedback')) > before + 1, 'the comment was POSTed', {
      timeout: 5000,
    });
    expect((await bodiesSince('feedback', before))[1]).to.deep.equal({
      run_id: 'seed',
      rating: 'down',
      comment: 'Wrong time zone.',
    });
    expect($(el, '[part=feedback-input]')).to.equal(null);
  });

  it('offers no rating on an answer that failed or waits, and none at all with feedback="false"', async () => {
    const failed = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/agent-error"></agent-chat>`);
    await say(failed, 'Hello');
    expect($(failed, '[part=feedback]')).to.equal(null);
    const paused = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/approval"></agent-chat>`);
    await say(paused, 'Save a note: buy milk');
    expect($(paused, '[part=feedback]')).to.equal(null);
    sessionStorage.clear();
    const off = await fixture<AgentChat>(html`<agent-chat feedback="false" endpoint="/scripted/seed"></agent-chat>`);
    await say(off, 'What is 5+5?');
    expect($(off, '[part=feedback]')).to.equal(null);
    off.feedback = true;
    await off.updateComplete;
    expect($(off, '[part=feedback]')).to.exist;
  });
});

describe('<agent-chat> suggestions', () => {
  beforeEach(() => sessionStorage.clear());

  it('shows starter chips from the attribute on an empty conversation; a click sends it, and they go', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat endpoint="/scripted/seed" suggestions='["What is 5+5?", "What time is it?"]'></agent-chat>`,
    );
    const chips = $$(el, '[part=suggestions] [part=suggestion]');
    expect(chips.map((c) => c.textContent)).to.deep.equal(['What is 5+5?', 'What time is it?']);
    expect($(el, '[part=suggestions]')!.getAttribute('aria-label')).to.equal('Suggestions');
    const done = nextDone(el);
    chips[0]!.click();
    await done;
    await el.updateComplete;
    expect($(el, '[part~=message-user]')!.textContent).to.contain('What is 5+5?');
    expect($(el, '[part=suggestion]')).to.equal(null);
  });

  it('takes the property too, and shows nothing for an attribute that is not a JSON array', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat endpoint="/scripted/seed" suggestions="not json"></agent-chat>`,
    );
    expect($(el, '[part=suggestion]')).to.equal(null);
    el.suggestions = ['Hello'];
    await el.updateComplete;
    expect($(el, '[part=suggestion]')!.textContent).to.equal('Hello');
    el.setAttribute('suggestions', '{"a": 1}');
    await el.updateComplete;
    expect($(el, '[part=suggestion]')).to.equal(null);
  });

  it('shows follow-up chips under the last answer only; a click sends it', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/suggest"></agent-chat>`);
    await say(el, 'What is 5+5?');
    const chips = $$(el, '[part~=message-assistant] [part=suggestion]');
    expect(chips.map((c) => c.textContent)).to.deep.equal(['What is 6*7?', 'What time is it?']);
    await clickAndWait(el, chips[0]!);
    expect($$(el, '[part~=message-user]').map((m) => m.textContent!.replace('You: ', ''))).to.deep.equal([
      'What is 5+5?',
      'What is 6*7?',
    ]);
    expect($$(el, '[part=suggestions]'), 'only under the newest answer').to.have.length(1);
  });
});

describe('<agent-chat> interactions are accessible (axe)', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  for (const theme of ['light', 'dark']) {
    it(`passes with a waiting approval card, starter chips, follow-ups and a rating with its comment form in the ${theme} theme`, async () => {
      const el = await fixture<AgentChat>(
        html`<agent-chat theme=${theme} endpoint="/scripted/approval" suggestions='["Save a note: buy milk"]'></agent-chat>`,
      );
      await expect(el).to.be.accessible();
      await say(el, 'Save a note: buy milk');
      await expect(el).to.be.accessible();
      await clickAndWait(el, $(el, '[part=approve-button]')!);
      expect($(el, '[part=suggestion]')).to.exist;
      $(el, '[part=rate-button]')!.click();
      await el.updateComplete;
      expect($(el, '[part=feedback-input]')).to.exist;
      await expect(el).to.be.accessible();
    });
  }
});
