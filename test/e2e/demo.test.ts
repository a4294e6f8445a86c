import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { freePort } from '../support/free-port.ts';

/**
 * End to end, as a newcomer sees it: `npm start`'s script brings up agent, gateway and BFF on the
 * offline model, and a real Chromium uses the demo page.
 */
describe('the demo page on the started stack', () => {
  let stack: ChildProcess;
  let browser: Browser;
  let url: string;
  const ports = { bff: 0, agent: 0, gateway: 0 };
  let output = '';

  before(async () => {
    ports.bff = await freePort();
    ports.agent = await freePort();
    ports.gateway = await freePort();
    stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, PORT: String(ports.bff), AGENT_PORT: String(ports.agent), GATEWAY_PORT: String(ports.gateway), OFFLINE_TOKEN_DELAY_MS: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.stderr!.on('data', (d) => (output += d));
    await new Promise<void>((resolve, reject) => {
      stack.stdout!.on('data', (d) => {
        output += d;
        const match = /Open (http:\/\/localhost:\d+\/)/.exec(output);
        if (match) {
          url = match[1]!;
          resolve();
        }
      });
      stack.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (stack && stack.exitCode === null) {
      stack.kill('SIGINT');
      await new Promise((r) => stack.once('exit', r));
    }
  });

  it('prints the URL of the demo on the BFF port', () => {
    assert.equal(url, `http://localhost:${ports.bff}/`);
  });

  it('answers "What is 5+5?" with the calculator call, its result 10 and the answer', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    assert.equal(await page.locator('script[src]').count(), 1, 'the demo loads the widget with one script tag');
    const chat = page.locator('agent-chat');
    await chat.locator('textarea').fill('What is 5+5?');
    await chat.locator('textarea').press('Enter');
    await chat.locator('.user', { hasText: 'What is 5+5?' }).waitFor();
    const tool = chat.locator('.tool[data-status=done]');
    await tool.waitFor();
    assert.match((await tool.textContent())!, /calculator/);
    assert.match((await tool.textContent())!, /5\+5/);
    assert.equal(await tool.locator('code').last().textContent(), '10');
    await chat.locator('.assistant .text', { hasText: 'The result of 5+5 is 10.' }).waitFor();
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

  it('stops agent, gateway and BFF on Ctrl-C', async () => {
    stack.kill('SIGINT');
    await new Promise((r) => stack.once('exit', r));
    for (const port of Object.values(ports)) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), `port ${port} is closed`);
    }
  });
});
