/// <reference types="mocha" />
import type { Message } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS } from '../../protocol/agent-request.ts';
import { agUiMessages } from '../src/ag-ui-stream.ts';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { MarkdownSource } from '../src/markdown/source.ts';
import type { Entry } from '../src/transcript.ts';
import { $, $$, nextDone, sleep, transcriptText, typeAndSend, waitForAlert } from './helpers.ts';

/**
 * `<agent-chat protocol="ag-ui">` against AG-UI endpoints nobody here wrote the client side of: a
 * third-party AG-UI server built only from @ag-ui/encoder (third-party-agent.ts) on another origin,
 * and the real stack's `POST /v1/agui` (BFF → SDK → local AgentCore gateway → agent runtime).
 */

const { bff, thirdParty } = (await (await fetch('/ag-ui-endpoints')).json()) as { bff: string; thirdParty: string };

interface Received {
  inputs: Array<Record<string, any>>;
  headers: Array<Record<string, string>>;
  aborted: number;
}
const received = async (scenario: string): Promise<Received> =>
  (await fetch(`${thirdParty}/received/${scenario}`)).json();

const vendor = (scenario: string, id = `vendor-${scenario}`) =>
  fixture<AgentChat>(
    html`<agent-chat id=${id} protocol="ag-ui" endpoint=${`${thirdParty}/agent/${scenario}`}></agent-chat>`,
  );

async function ask(el: AgentChat, text: string) {
  const done = nextDone(el);
  typeAndSend(el, text);
  const detail = await done;
  await el.updateComplete;
  return detail;
}

describe('<agent-chat protocol="ag-ui"> with a third-party AG-UI server', () => {
  beforeEach(() => sessionStorage.clear());

  it('draws the answer and the tool call, and passes over reasoning, steps, state, snapshots, activity, custom and raw events', async () => {
    const el = await vendor('full');
    const events: string[] = [];
    el.addEventListener('agent-chat-event', (e) => events.push(e.detail.event));
    expect((await ask(el, 'hello there')).status).to.equal('complete');

    const card = $(el, '[part=tool-card]')!;
    expect(card.dataset.status).to.equal('done');
    expect(card.querySelector('.name')!.textContent).to.equal('lookup');
    expect(JSON.parse(card.querySelector('summary code')!.textContent!)).to.deep.equal({ query: 'hello there' });
    expect(card.querySelector('pre:last-of-type code')!.textContent).to.equal('found hello there');
    // Two text messages, drawn as two paragraphs; the markdown is rendered.
    const texts = $$(el, '[part~=message-assistant] .text');
    expect(texts.map((t) => t.textContent)).to.deep.equal(['You said: hello thereAnything else?']);
    expect($(el, '[part~=message-assistant] .text strong')!.textContent).to.equal('hello there');
    expect($$(el, '[part~=message-assistant] .text p')).to.have.length(2);
    expect(transcriptText(el)).not.to.contain('The user wants an echo');
    expect(transcriptText(el)).not.to.contain('native event');
    expect($(el, '[role=alert]')).to.equal(null);
    expect(events).to.deep.equal(['start', 'tool_start', 'tool_end', 'token', 'token', 'token', 'token', 'done']);
  });

  it('sends a valid RunAgentInput: the conversation id as threadId, a fresh runId, the conversation it shows as messages', async () => {
    const el = await vendor('full', 'vendor-input');
    await ask(el, 'first question');
    await ask(el, 'second question');
    const { inputs, headers } = await received('full');
    const [first, second] = inputs.slice(-2) as [Record<string, any>, Record<string, any>];
    for (const input of [first, second]) {
      expect(RunAgentInputSchema.safeParse(input).success, JSON.stringify(input)).to.equal(true);
      expect(input.runId).to.match(/^[0-9a-f]{32}$/);
    }
    expect(first.threadId).to.equal(el.sessionId);
    expect(first.threadId).to.match(/^[0-9a-f]{32}$/);
    expect(second.threadId).to.equal(first.threadId);
    expect(second.runId).not.to.equal(first.runId);
    expect(headers.at(-1)!.accept).to.equal('text/event-stream');

    expect(first.messages.map((m: Message) => [m.role, m.content])).to.deep.equal([['user', 'first question']]);
    const messages = second.messages as Message[];
    expect(messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'tool', 'assistant', 'user']);
    const [user, call, result, answer, latest] = messages as [any, any, any, any, any];
    expect(user.content).to.equal('first question');
    expect(call.toolCalls).to.deep.equal([
      { id: 'lookup-1', type: 'function', function: { name: 'lookup', arguments: '{"query":"first question"}' } },
    ]);
    expect([result.toolCallId, result.content]).to.deep.equal(['lookup-1', 'found first question']);
    expect(answer.content).to.equal('You said: **first question**\n\nAnything else?');
    expect(latest.content).to.equal('second question');
    expect(new Set(messages.map((m) => m.id)).size, 'message ids are unique').to.equal(messages.length);
  });

  it('goes on with the stored conversation after a reload, on the same thread', async () => {
    const el = await vendor('full', 'vendor-reload');
    await ask(el, 'before the reload');
    const { sessionId } = el;
    dispatchEvent(new PageTransitionEvent('pagehide'));
    el.remove();
    const again = await vendor('full', 'vendor-reload');
    await again.updateComplete;
    expect(transcriptText(again)).to.contain('You said: before the reload');
    await ask(again, 'after it');
    const last = (await received('full')).inputs.at(-1)!;
    expect(last.threadId).to.equal(sessionId);
    expect(last.messages.map((m: Message) => m.content ?? m.role)).to.deep.equal([
      'before the reload',
      'assistant',
      'found before the reload',
      'You said: **before the reload**\n\nAnything else?',
      'after it',
    ]);
  });

  it("shows the vendor's RUN_ERROR with its message, keeps what came before it, and retries", async () => {
    const el = await vendor('error');
    const errors: Array<{ code: string; message: string; retryable: boolean }> = [];
    el.addEventListener('agent-chat-error', (e) => errors.push(e.detail));
    expect((await ask(el, 'hi')).status).to.equal('error');
    expect($(el, '[role=alert]')!.textContent).to.equal('The vendor agent is overloaded.');
    expect($(el, '.text')!.textContent).to.equal('Let me');
    expect(errors).to.deep.equal([
      { code: 'VENDOR_OVERLOADED', message: 'The vendor agent is overloaded.', retryable: false },
    ]);
    const posts = (await received('error')).inputs.length;
    const done = nextDone(el);
    $<HTMLButtonElement>(el, '[part=retry-button]')!.click();
    await done;
    const { inputs } = await received('error');
    expect(inputs).to.have.length(posts + 1);
    expect(inputs.at(-1)!.messages.map((m: Message) => m.content)).to.deep.equal(
      ['hi'],
      'the failed answer is not sent back',
    );
  });

  it('stops an answer: the request is aborted and what arrived stays, marked as stopped', async () => {
    const el = await vendor('hold');
    const before = (await received('hold')).aborted;
    const done = nextDone(el);
    typeAndSend(el, 'go');
    await waitUntil(() => $(el, '.text')?.textContent === 'Half an answer', 'the text shows', { timeout: 5000 });
    $<HTMLButtonElement>(el, '[part=stop-button]')!.click();
    expect((await done).status).to.equal('cancelled');
    await waitUntil(async () => (await received('hold')).aborted === before + 1, 'the server saw the hang-up');
    expect($(el, '.text')!.textContent).to.equal('Half an answer');
  });

  it('fails the answer when the stream ends without RUN_FINISHED, or sends what is not JSON', async () => {
    const cut = await vendor('cut');
    await ask(cut, 'go');
    expect($(cut, '[role=alert]')!.textContent).to.equal('The connection closed before the answer was complete.');
    const garbage = await vendor('garbage');
    await ask(garbage, 'go');
    expect($(garbage, '[role=alert]')!.textContent).to.equal('The chat service sent something unreadable.');
    expect($(garbage, '.text')!.textContent, 'what came before stays').to.equal('Half an answer');
    const odd = await vendor('bad-outcome');
    await ask(odd, 'go');
    expect($(odd, '[role=alert]')!.textContent).to.equal('The chat service sent something unreadable.');
  });

  it('says the status of a refusal without a body it can read', async () => {
    const el = await vendor('html-500');
    typeAndSend(el, 'go');
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('The chat service answered 500.');
  });
});

describe('<agent-chat protocol="ag-ui"> with the BFF\'s POST /v1/agui (the real stack)', () => {
  beforeEach(() => sessionStorage.clear());

  const ours = (id: string) =>
    fixture<AgentChat>(html`<agent-chat id=${id} protocol="ag-ui" endpoint=${`${bff}/v1/agui`}></agent-chat>`);

  it('answers "What is 5+5?" with the calculator card, its result and the answer, then remembers it', async () => {
    const el = await ours('bff-calc');
    expect((await ask(el, 'What is 5+5?')).status).to.equal('complete');
    const card = $(el, '[part=tool-card]')!;
    expect(card.dataset.status).to.equal('done');
    expect(card.querySelector('.name')!.textContent).to.equal('calculator');
    expect(JSON.parse(card.querySelector('summary code')!.textContent!)).to.deep.equal({ expression: '5+5' });
    expect(card.querySelector('pre:last-of-type code')!.textContent).to.equal('10');
    expect($(el, '[part~=message-assistant] .text')!.textContent).to.equal('The result of 5+5 is 10.');

    expect((await ask(el, 'What is that times 3?')).status).to.equal('complete');
    expect($$(el, '[part~=message-assistant] .text').at(-1)!.textContent).to.equal('The result of 10 * 3 is 30.');
    expect($(el, '[role=alert]')).to.equal(null);
  });

  it("shows the BFF's refusal in its own words, keeping the message", async () => {
    const el = await ours('bff-long');
    typeAndSend(el, 'x'.repeat(16_001));
    await waitForAlert(el);
    expect($(el, '[role=alert]')!.textContent).to.equal('"message" must be at most 16000 characters.');
    expect($(el, '[part~=message-user]')!.textContent).to.contain('xxxx');
  });

  it("reads on after a reload mid-answer, from the run the BFF kept (its id from the events' SSE ids): the answer once", async () => {
    const el = await ours('bff-reload');
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent, 'the answer starts', { timeout: 5000 });
    dispatchEvent(new PageTransitionEvent('pagehide'));
    el.remove();
    const again = await ours('bff-reload');
    const answer = 'The result of 5+5 is 10.';
    await waitUntil(() => $(again, '.text')?.textContent === answer, 'the whole answer', { timeout: 10_000 });
    await waitUntil(() => !$(again, '[part=stop-button]'), 'the answer to end', { timeout: 5000 });
    expect(transcriptText(again).split(answer).length - 1, 'the answer exactly once').to.equal(1);
    expect($$(again, '[part=tool-card]')).to.have.length(1);
    expect($(again, '[role=alert]')).to.equal(null);
  });

  it('is stopped by the stop button, at the BFF too (its cancel endpoint), and the conversation can go on at once', async () => {
    const el = await ours('bff-stop');
    const runIds: string[] = [];
    el.addEventListener('agent-chat-event', ({ detail }) => {
      if (detail.event === 'start') runIds.push(detail.data.run_id ?? '');
    });
    const done = nextDone(el);
    typeAndSend(el, 'What is 5+5?');
    await waitUntil(() => $(el, '.text')?.textContent, 'the answer starts', { timeout: 5000 });
    el.stop();
    expect((await done).status).to.equal('cancelled');
    // The run the BFF kept (the widget asks it to outlive a hang-up) ended cancelled, not answered.
    expect(runIds[0]).to.match(/^[\w-]{22}$/);
    const kept = await (await fetch(`${bff}/v1/chat/runs/${runIds[0]}/events`)).text();
    const last = JSON.parse(kept.trim().split('\n').at(-1)!.slice('data: '.length));
    expect([last.type, last.outcome]).to.deep.equal(['RUN_FINISHED', { type: 'cancelled' }]);
    // The BFF let go of the conversation: the next message is not refused as busy.
    let answer = await ask(el, 'What is 2+3?');
    for (let i = 0; i < 20 && answer.status === 'error'; i++) {
      await sleep(100);
      answer = await ask(el, 'What is 2+3?');
    }
    expect(answer.status).to.equal('complete');
    expect($$(el, '[part~=message-assistant] .text').at(-1)!.textContent).to.equal('The result of 2+3 is 5.');
  });
});

describe('<agent-chat protocol="ag-ui"> working with the user, on the real stack', () => {
  beforeEach(() => sessionStorage.clear());

  const ours = (id: string) =>
    fixture<AgentChat>(html`<agent-chat id=${id} protocol="ag-ui" endpoint=${`${bff}/v1/agui`}></agent-chat>`);
  /** Clicks and waits for the run it starts to end. */
  async function click(el: AgentChat, button: HTMLElement) {
    const done = nextDone(el);
    button.click();
    const detail = await done;
    await el.updateComplete;
    return detail;
  }

  it("shows the agent's interrupt as an approval card; Approve resumes it (AG-UI resume) and the note is saved and listed", async () => {
    const el = await ours('agui-approve');
    expect((await ask(el, 'Save a note: buy milk')).status).to.equal('interrupted');
    const card = $(el, '[part=approval-card]')!;
    expect(card.textContent).to.contain('Save the note "buy milk"?').and.contain('save_note');
    expect((await click(el, $(el, '[part=approve-button]')!)).status).to.equal('complete');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('done');
    expect(transcriptText(el)).to.contain('I saved your note: "buy milk".');
    // The agent's follow-up arrives as AG-UI's CUSTOM "suggestions": a chip that sends it.
    await click(el, $(el, '[part=suggestion]')!);
    expect($$(el, '[part~=message-assistant] .text li').map((li) => li.textContent)).to.deep.equal(['buy milk']);
  });

  it('denies with a note: the card says so, the model hears it, nothing is saved', async () => {
    const el = await ours('agui-deny');
    await ask(el, 'Save a note: eggs');
    $<HTMLInputElement>(el, '[part=approval-note]')!.value = 'not now';
    expect((await click(el, $(el, '[part=deny-button]')!)).status).to.equal('complete');
    expect($(el, '[part=approval-card]')!.textContent).to.contain('Declined: not now');
    expect($(el, '[part=tool-card]')!.dataset.status).to.equal('failed');
    expect(transcriptText(el)).to.contain('OK, I didn\'t save the note. You said: "not now".');
    await ask(el, 'What are my notes?');
    expect($$(el, '[part~=message-assistant] .text').at(-1)!.textContent).to.equal(
      'You have no notes in this session yet.',
    );
  });

  it('runs a page tool the agent calls (RUN_FINISHED with pendingToolCallIds) and answers with a tool message', async () => {
    const el = await ours('agui-page-tool');
    const colours: unknown[] = [];
    el.tools = [
      {
        name: 'set_accent_color',
        description: "Set the page's accent colour.",
        parameters: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
        handler: ({ color }) => {
          colours.push(color);
          return `The accent colour is now ${color}.`;
        },
      },
    ];
    const statuses: string[] = [];
    el.addEventListener('agent-chat-done', (e) => statuses.push(e.detail.status));
    typeAndSend(el, 'Make the page green');
    await waitUntil(() => statuses.length === 2, 'the page tool answered', { timeout: 10_000 });
    await el.updateComplete;
    expect(statuses).to.deep.equal(['interrupted', 'complete']);
    expect(colours).to.deep.equal(['green']);
    expect($(el, '[part=tool-card]')!.textContent).to.contain('The accent colour is now green.');
    expect(transcriptText(el)).to.contain("Done: the page's accent colour is now green.");
  });
});

describe('agUiMessages: the conversation the widget sends', () => {
  const user = (id: string, text: string): Entry => ({ role: 'user', id, text });
  const answer = (id: string, text: string): Entry => ({
    role: 'assistant',
    id,
    status: 'complete',
    parts: [{ kind: 'text', source: new MarkdownSource(text) }],
  });

  it('leaves out tool calls without a result, and keeps a failed one with its error', () => {
    const turn: Entry = {
      role: 'assistant',
      id: 'a',
      status: 'cancelled',
      parts: [
        { kind: 'tool', id: 'c1', tool: 't', args: {}, status: 'failed', error: 'boom' },
        { kind: 'tool', id: 'c2', tool: 't', args: {}, status: 'cancelled' },
      ],
    };
    const messages = agUiMessages([user('u', 'q'), turn, user('v', 'again')]);
    expect(messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'tool', 'user']);
    expect(messages[2]).to.include({ toolCallId: 'c1', content: 'boom', error: 'boom' });
  });

  it(`sends the newest ${HISTORY_MAX_MESSAGES} messages and the new one, within ${HISTORY_MAX_TOTAL_CHARS} characters`, () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 150; i++) entries.push(user(`u${i}`, `q${i}`), answer(`a${i}`, `a${i}`));
    entries.push(user('last', 'the new one'));
    const many = agUiMessages(entries);
    expect(many).to.have.length(HISTORY_MAX_MESSAGES + 1);
    expect(many.at(-1)!.content).to.equal('the new one');
    expect(many[0]!.content).to.equal('q100');

    const big = 'x'.repeat(Math.floor(HISTORY_MAX_TOTAL_CHARS / 3));
    const long = agUiMessages([user('1', big), answer('2', big), user('3', big), answer('4', big), user('5', 'now')]);
    expect(long.map((m) => m.id)).to.deep.equal(['3', '4-0', '5']);
    const huge = agUiMessages([user('1', 'before'), user('2', 'y'.repeat(HISTORY_MAX_TOTAL_CHARS * 2))]);
    expect(
      huge.map((m) => m.id),
      'the message being sent goes, whatever its size',
    ).to.deep.equal(['2']);
  });
});
