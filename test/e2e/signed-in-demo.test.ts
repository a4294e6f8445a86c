import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../dev/support/chromium.ts';
import { npmStart, stopStack } from '../support/npm-start.ts';

/**
 * `npm run start:auth`, as a newcomer sees it: the BFF in authenticated mode, and a site of its own
 * (another origin, its own sign-in) whose page gives the widget a token through getHeaders. Two
 * users send the same session-id: a real Chromium shows they have two conversations.
 */
describe('the signed-in demo (npm run start:auth)', () => {
  let stack: ChildProcess;
  let browser: Browser;
  let url: string;
  let ports: Record<string, number>;

  before(async () => {
    ({ stack, url, ports } = await npmStart(['--auth']));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stopStack(stack);
  });

  it("prints the demo site's URL, on its own port", () => {
    assert.equal(url, `http://localhost:${ports.site}/`);
  });

  it('answers each signed-in user in a conversation of their own, though both widgets send session-id "support"', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A clean console: no failed request (a missing favicon included), no CSP violation.
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    const chatRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/chat/stream') && r.method() === 'POST')
        chatRequests.push(r.headers().authorization ?? '');
    });
    await page.goto(url);
    const ask = async (user: string, question: string, answer: string | RegExp) => {
      const chat = page.locator(`agent-chat#${user}`);
      await chat.locator('textarea').fill(question);
      await chat.locator('textarea').press('Enter');
      await chat.locator('[part~=message-assistant] .text', { hasText: answer }).waitFor();
    };
    await ask('alice', 'What is 5+5?', 'The result of 5+5 is 10.');
    await ask('bob', 'What is that times 3?', /offline demo model/);
    assert.equal(
      await page.locator('agent-chat#bob [part=tool-card]').count(),
      0,
      'Bob\'s conversation has no result for "that"',
    );
    await ask('alice', 'What is that times 3?', 'The result of 10 * 3 is 30.');
    assert.equal(chatRequests.length, 3);
    assert.ok(
      chatRequests.every((h) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(h)),
      "every chat request carried a token from the site's sign-in",
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('refuses a chat without a token: 401 with a JSON error', async () => {
    const response = await fetch(`http://localhost:${ports.bff}/v1/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: '{"message": "What is 5+5?", "session_id": "support"}',
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error.code, 'unauthorized');
  });

  it('stops all four processes on Ctrl-C', async () => {
    stack.kill('SIGINT');
    await new Promise((r) => stack.once('exit', r));
    for (const port of Object.values(ports)) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), `port ${port} is closed`);
    }
  });
});
