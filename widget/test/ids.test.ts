/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { randomId } from '../src/ids.ts';
import { nextDone, scenarioStats } from './helpers.ts';

describe('the ids the widget makes', () => {
  it('carry 128 random bits: 32 hex digits, all of them varying', () => {
    const ids = Array.from({ length: 2000 }, randomId);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).to.equal(ids.length);
    // A UUID's version and variant digits never change; here every position takes every digit.
    for (let i = 0; i < 32; i++) expect(new Set(ids.map((id) => id[i])).size, `position ${i}`).to.equal(16);
  });

  it('are what an <agent-chat> without a session-id sends as its session_id', async () => {
    sessionStorage.clear();
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/seed"></agent-chat>`);
    const done = nextDone(el);
    el.send('What is 5+5?');
    await done;
    expect(el.sessionId).to.match(/^[0-9a-f]{32}$/);
    expect((await scenarioStats('seed')).sessionId).to.equal(el.sessionId);
  });
});
