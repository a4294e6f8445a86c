import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../dev/support/chromium.ts';
import { npmStart, stopStack } from '../support/npm-start.ts';
import { rawConnection } from '../../dev/support/raw-socket.ts';

/**
 * End to end, as a newcomer sees it: `npm start`'s script brings up agent, gateway and BFF on the
 * offline model, and a real Chromium uses the demo page.
 */
describe('the demo page on the started stack', () => {
  let stack: ChildProcess;
  let browser: Browser;
  let url: string;
  let ports: Record<string, number>;

  before(async () => {
    ({ stack, url, ports } = await npmStart());
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stopStack(stack);
  });

  it('prints the URL of the demo on the BFF port', () => {
    assert.equal(url, `http://localhost:${ports.bff}/`);
  });

  it('answers "What is 5+5?" with the calculator call, its result 10 and the answer, and logs the host events', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A clean console: no failed request (a missing favicon included), no CSP violation.
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(url);
    assert.equal(await page.locator('script[src]').count(), 1, 'the demo loads the widget with one script tag');
    assert.match((await page.locator('#offline-note').textContent())!, /offline demo model/);
    const chat = page.locator('agent-chat#inline');
    await chat.locator('textarea').fill('What is 5+5?');
    await chat.locator('textarea').press('Enter');
    await chat.locator('[part~=message-user]', { hasText: 'What is 5+5?' }).waitFor();
    const tool = chat.locator('[part=tool-card][data-status=done]');
    await tool.waitFor();
    assert.match((await tool.textContent())!, /calculator/);
    assert.match((await tool.textContent())!, /5\+5/);
    assert.equal(await tool.locator('code').last().textContent(), '10');
    await chat.locator('[part~=message-assistant] .text', { hasText: 'The result of 5+5 is 10.' }).waitFor();
    await page.locator('#log li', { hasText: 'inline done {"status":"complete"' }).waitFor();
    assert.equal(await page.locator('#log li', { hasText: 'inline event tool_end' }).count(), 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('serves the widget script for embedding on any site, and the page with its own security headers', async () => {
    const script = await fetch(`${url}agent-chat.js`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(script.headers.get('access-control-allow-origin'), '*');
    assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
    const page = await fetch(url);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  it('keeps the conversation through a reload and goes on in the same session', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const chat = page.locator('agent-chat#inline');
    await chat.locator('textarea').fill('What is 5+5?');
    await chat.locator('textarea').press('Enter');
    await chat.locator('[part~=message-assistant] .text', { hasText: 'The result of 5+5 is 10.' }).waitFor();
    await page.reload();
    await chat.locator('[part~=message-user]', { hasText: 'What is 5+5?' }).waitFor();
    assert.equal(await chat.locator('[part=tool-card][data-status=done] code').last().textContent(), '10');
    assert.equal(await chat.locator('[part~=message-assistant] .text').textContent(), 'The result of 5+5 is 10.');
    // "that" is the previous result only if the agent sees the same session as before the reload.
    await chat.locator('textarea').fill('What is that times 3?');
    await chat.locator('textarea').press('Enter');
    await chat.locator('[part~=message-assistant] .text', { hasText: 'The result of 10 * 3 is 30.' }).waitFor();
    await page.close();
  });

  it('works with the user: a starter chip, an approved save_note listed by a follow-up chip, a page tool that turns the page green, a rating', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(url);
    const chat = page.locator('agent-chat#inline');
    const answer = (text: string) => chat.locator('[part~=message-assistant] .text', { hasText: text }).waitFor();

    // Approve a save_note from its starter chip; the follow-up chip lists it.
    await chat.locator('[part=suggestion]', { hasText: 'Save a note: buy milk' }).click();
    const card = chat.locator('[part=approval-card]');
    await card.waitFor();
    assert.match((await card.textContent())!, /Save the note "buy milk"\?/);
    await card.locator('[part=approve-button]').click();
    await chat.locator('[part=tool-card][data-status=done]', { hasText: 'Saved note 1: buy milk' }).waitFor();
    await answer('I saved your note: "buy milk".');
    assert.match((await card.textContent())!, /Approved/);
    await chat.locator('[part=suggestion]', { hasText: 'What are my notes?' }).click();
    await answer('Your notes:');
    await chat.locator('[part~=message-assistant] .text ol li', { hasText: 'buy milk' }).waitFor();

    // The page tool runs in the page: the accent colour changes, in the page and in the chat.
    const accent = () => page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);
    assert.equal(await accent(), 'rgb(9, 105, 218)');
    await chat.locator('textarea').fill('Make the page green');
    await chat.locator('textarea').press('Enter');
    await chat
      .locator('[part=tool-card][data-status=done]', { hasText: "The page's accent colour is now green." })
      .waitFor();
    await answer("Done: the page's accent colour is now green.");
    assert.equal(await accent(), 'rgb(0, 128, 0)');
    const button = await chat.locator('[part=send-button]').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(button, 'rgb(0, 128, 0)');

    // A rating: the page hears it, and the BFF writes it as one log line naming the run.
    let logs = '';
    const listen = (d: Buffer) => (logs += d);
    stack.stdout!.on('data', listen);
    const posted = page.waitForResponse((r) => r.url().endsWith('/v1/chat/feedback'));
    await chat.locator('[part~=message-assistant]').last().locator('[part=rate-button]').first().click();
    assert.equal((await posted).status(), 204);
    const heard = page.locator('#log li', { hasText: 'inline feedback' });
    await heard.waitFor();
    const { runId } = JSON.parse((await heard.textContent())!.replace(/^inline feedback /, ''));
    assert.match(runId, /^[A-Za-z0-9_-]{22}$/);
    const deadline = Date.now() + 5000;
    while (!logs.includes(`"run_id":"${runId}","rating":"up","msg":"feedback"`) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    stack.stdout!.off('data', listen);
    assert.ok(logs.includes(`"run_id":"${runId}","rating":"up","msg":"feedback"`), 'the BFF logged the rating');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('answers in the launcher panel, which Esc closes, handing focus back to its button', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const chat = page.locator('agent-chat#launcher');
    const panel = chat.locator('[part=base]');
    assert.equal(await panel.isVisible(), false);
    await chat.locator('[part=launcher]').click();
    await panel.waitFor();
    await chat.locator('textarea').fill('What is 2+3?');
    await chat.locator('textarea').press('Enter');
    await chat.locator('[part~=message-assistant] .text', { hasText: 'The result of 2+3 is 5.' }).waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    const focused = await page.evaluate(() =>
      document.querySelector('agent-chat#launcher')!.shadowRoot!.activeElement?.getAttribute('part'),
    );
    assert.equal(focused, 'launcher');
    await page.close();
  });

  it("answers the seed's curl as it is, with no sign-in (anonymous mode is the default)", async () => {
    const response = await fetch(`http://localhost:${ports.bff}/v1/chat/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: '{"message": "What is 5+5?", "session_id": "test-session-123456789012345"}',
    });
    assert.equal(response.status, 200);
    const events = [...(await response.text()).matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, event, data]) => ({
      event,
      data: JSON.parse(data!),
    }));
    // Exactly the seed's sequence: nothing added to it, nothing left out.
    assert.match(events.map((e) => e.event).join(' '), /^start agent_start tool_start tool_end( token)+ message done$/);
    assert.deepEqual(events[2]!.data.args, { expression: '5+5' });
    assert.equal(events[3]!.data.result, '10');
    assert.match(events.at(-2)!.data.content, /\b10\b/);
    assert.deepEqual(events.at(-1), { event: 'done', data: { status: 'complete' } });
  });

  it("answers the README's AG-UI curl with the agent's AG-UI events", async () => {
    const response = await fetch(`http://localhost:${ports.bff}/v1/agui`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: '{"threadId":"test-thread-1","runId":"run-1","messages":[{"id":"m1","role":"user","content":"What is 5+5?"}]}',
    });
    assert.equal(response.status, 200);
    const events = [...(await response.text()).matchAll(/^data: (.*)$/gm)].map(([, data]) => JSON.parse(data!));
    assert.deepEqual(events[0], {
      type: 'RUN_STARTED',
      threadId: 'test-thread-1',
      runId: 'run-1',
      timestamp: events[0].timestamp,
    });
    assert.equal(events.find((e) => e.type === 'TOOL_CALL_RESULT')?.content, '10');
    const text = events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join('');
    assert.equal(text, 'The result of 5+5 is 10.');
    assert.equal(events.at(-1).type, 'RUN_FINISHED');
  });

  it('listens on 127.0.0.1 only: agent, gateway and BFF refuse another address of this machine', async () => {
    for (const port of Object.values(ports)) {
      await assert.rejects(rawConnection(`http://127.0.0.2:${port}`), { code: 'ECONNREFUSED' }, `port ${port}`);
    }
  });

  it('stops agent, gateway and BFF on Ctrl-C', async () => {
    stack.kill('SIGINT');
    await new Promise((r) => stack.once('exit', r));
    for (const port of Object.values(ports)) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), `port ${port} is closed`);
    }
  });
});

/**
 * A multi-page site: the launcher is on both demo pages, and the visitor clicks through to the other
 * page while an answer streams. The model writes slowly here, so the click lands mid-answer.
 */
describe('the demo site, navigated while an answer streams', () => {
  let stack: ChildProcess;
  let browser: Browser;
  let url: string;

  before(async () => {
    ({ stack, url } = await npmStart([], { OFFLINE_TOKEN_DELAY_MS: '150' }));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stopStack(stack);
  });

  it('goes on with the answer on the next page, from where it was: the whole answer once, one POST', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/')) requests.push(`${r.method()} ${path.replace(/runs\/[^/]+/, 'runs/{id}')}`);
    });
    await page.goto(url);
    const chat = page.locator('agent-chat#launcher');
    await chat.locator('[part=launcher]').click();
    await chat.locator('textarea').fill('What is 5+5?');
    await chat.locator('textarea').press('Enter');
    // The answer has begun (its first words), and is not done.
    await chat.locator('[part~=message-assistant] .text', { hasText: 'The result' }).waitFor();
    assert.notEqual(await chat.locator('[part~=message-assistant] .text').textContent(), 'The result of 5+5 is 10.');
    await page.locator('#other-page').click();
    await page.waitForURL('**/pricing.html');
    await chat.locator('[part=launcher]').click();
    const answer = chat.locator('[part~=message-assistant] .text');
    await answer.filter({ hasText: 'The result of 5+5 is 10.' }).waitFor({ timeout: 15_000 });
    assert.equal(await answer.count(), 1);
    assert.equal(await answer.textContent(), 'The result of 5+5 is 10.');
    assert.equal(await chat.locator('[part=tool-card][data-status=done]').count(), 1);
    assert.equal(await chat.locator('.stopped, [role=alert]').count(), 0, 'not stopped, no error');
    assert.deepEqual(
      requests.filter((r) => r.startsWith('POST')),
      ['POST /v1/chat/stream'],
      'one send, one POST: the next page reads on, it does not ask again',
    );
    assert.ok(requests.includes('GET /v1/chat/runs/{id}/events'), requests.join(', '));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
