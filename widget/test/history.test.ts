/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { HISTORY_MAX_MESSAGES, HISTORY_MAX_TOTAL_CHARS } from '../../protocol/agent-request.ts';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { historyTurns } from '../src/chat-stream.ts';
import { MarkdownSource } from '../src/markdown/source.ts';
import type { Entry } from '../src/transcript.ts';
import { $, $$, converse } from './helpers.ts';

/**
 * The seed wire carries the conversation the widget shows (`history`), so an agent that has lost
 * its memory of the session (a new microVM) goes on from it: sent to the real stack's
 * `POST /v1/chat/stream`, which takes it.
 */

const { bff } = (await (await fetch('/ag-ui-endpoints')).json()) as { bff: string };

describe('<agent-chat> sends the conversation it shows on the seed wire', () => {
  let bodies: Array<Record<string, any>>;
  const fetch = window.fetch;
  beforeEach(() => {
    sessionStorage.clear();
    bodies = [];
    window.fetch = (input, init) => {
      if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
      return fetch(input, init);
    };
  });
  afterEach(() => {
    window.fetch = fetch;
  });

  it('sends no history with the first message, then the turns before each new one, which the BFF takes', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint=${`${bff}/v1/chat/stream`}></agent-chat>`);
    expect((await converse(el, 'What is 5+5?')).status).to.equal('complete');
    expect((await converse(el, 'What is that times 3?')).status).to.equal('complete');
    expect($$(el, '[part~=message-assistant] .text').at(-1)!.textContent).to.equal('The result of 10 * 3 is 30.');
    expect($(el, '[role=alert]')).to.equal(null);

    const [first, second] = bodies as [Record<string, any>, Record<string, any>];
    expect(first).to.deep.equal({ message: 'What is 5+5?', session_id: el.sessionId });
    expect(second).to.deep.equal({
      message: 'What is that times 3?',
      session_id: el.sessionId,
      history: [
        { role: 'user', content: 'What is 5+5?' },
        { role: 'assistant', content: 'The result of 5+5 is 10.' },
      ],
    });
  });
});

describe('historyTurns: the seed wire’s history', () => {
  const user = (text: string): Entry => ({ role: 'user', id: text, text });
  const answer = (...texts: string[]): Entry => ({
    role: 'assistant',
    id: texts.join(),
    status: 'complete',
    parts: texts.map((text) => ({ kind: 'text', source: new MarkdownSource(text) })),
  });

  it('keeps the text of each turn before the one being sent, tool calls and empty answers left out', () => {
    const withTool: Entry = {
      role: 'assistant',
      id: 't',
      status: 'complete',
      parts: [
        { kind: 'text', source: new MarkdownSource('Let me look.') },
        { kind: 'tool', id: 'c1', tool: 'lookup', args: {}, status: 'done', result: 'found' },
        { kind: 'text', source: new MarkdownSource('Found it.') },
      ],
    };
    const failed: Entry = { role: 'assistant', id: 'f', status: 'error', parts: [] };
    expect(historyTurns([user('q1'), withTool, user('q2'), failed, user('q3')])).to.deep.equal([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'Let me look.\n\nFound it.' },
      { role: 'user', content: 'q2' },
    ]);
  });

  it(`sends the newest ${HISTORY_MAX_MESSAGES} turns, within ${HISTORY_MAX_TOTAL_CHARS} characters`, () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 150; i++) entries.push(user(`q${i}`), answer(`a${i}`));
    const many = historyTurns([...entries, user('new')]);
    expect(many).to.have.length(HISTORY_MAX_MESSAGES);
    expect(many[0]!.content).to.equal('q100');
    expect(many.at(-1)!.content).to.equal('a149');

    const big = 'x'.repeat(HISTORY_MAX_TOTAL_CHARS / 2);
    expect(historyTurns([user('old'), answer(big), user(big), answer('ok'), user('new')])).to.deep.equal([
      { role: 'user', content: big },
      { role: 'assistant', content: 'ok' },
    ]);
    expect(historyTurns([user('y'.repeat(HISTORY_MAX_TOTAL_CHARS + 1)), user('new')])).to.deep.equal([]);
  });
});
