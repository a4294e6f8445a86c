/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { $, nextDone, recordRequests } from './helpers.ts';

const backgroundOf = (el: AgentChat) => getComputedStyle($(el, '[part=base]')!).backgroundColor;

/** A finished conversation with its tool card open, so every kind of content is on screen. */
async function converse(el: AgentChat): Promise<void> {
  const done = nextDone(el);
  el.send('What is 5+5?');
  await done;
  await el.updateComplete;
  $<HTMLDetailsElement>(el, '[part=tool-card]')!.open = true;
}

describe('<agent-chat mode="launcher">', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => setViewport({ width: 800, height: 600 }));

  it('opens its panel from a floating button, focuses the input, and Esc closes it and returns focus', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat mode="launcher" endpoint="/scripted/seed"></agent-chat>`);
    const launcher = $<HTMLButtonElement>(el, '[part=launcher]')!;
    const panel = $(el, '[part=base]')!;
    expect(getComputedStyle(launcher).position).to.equal('fixed');
    expect(launcher.getAttribute('aria-label')).to.equal('Open chat');
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect(launcher.getAttribute('aria-controls')).to.equal(panel.id);
    expect(panel.hidden).to.equal(true);

    launcher.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(panel.hidden).to.equal(false);
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(panel.getAttribute('aria-label')).to.equal('Chat');
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal($(el, 'textarea'));

    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(panel.hidden).to.equal(true);
    expect(el.open).to.equal(false);
    expect(el.shadowRoot!.activeElement).to.equal(launcher);
  });

  it('closes from its close button, keeping what was typed', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat mode="launcher" open endpoint="/scripted/seed"></agent-chat>`);
    $<HTMLTextAreaElement>(el, 'textarea')!.value = 'half-written';
    $(el, '[part=close-button]')!.click();
    await el.updateComplete;
    expect($(el, '[part=base]')!.hidden).to.equal(true);
    $(el, '[part=launcher]')!.click();
    await el.updateComplete;
    expect($<HTMLTextAreaElement>(el, 'textarea')!.value).to.equal('half-written');
  });

  it('floats a panel in the corner on a wide screen, and takes the whole screen on a phone', async () => {
    await setViewport({ width: 1200, height: 800 });
    const el = await fixture<AgentChat>(html`<agent-chat mode="launcher" open endpoint="/scripted/seed"></agent-chat>`);
    let box = $(el, '[part=base]')!.getBoundingClientRect();
    expect([box.width, box.right]).to.deep.equal([384, 1200 - 16]);
    expect(box.height).to.equal(640);

    await setViewport({ width: 375, height: 667 });
    box = $(el, '[part=base]')!.getBoundingClientRect();
    expect([box.left, box.top, box.width, box.height]).to.deep.equal([0, 0, 375, 667]);
  });
});

describe('<agent-chat> themes', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' }));

  it('is light by default, dark with theme="dark", and follows the system with theme="auto"', async () => {
    const light = await fixture<AgentChat>(html`<agent-chat></agent-chat>`);
    expect(backgroundOf(light)).to.equal('rgb(255, 255, 255)');
    const dark = await fixture<AgentChat>(html`<agent-chat theme="dark"></agent-chat>`);
    expect(backgroundOf(dark)).to.equal('rgb(13, 17, 23)');
    const auto = await fixture<AgentChat>(html`<agent-chat theme="auto"></agent-chat>`);
    expect(backgroundOf(auto)).to.equal('rgb(255, 255, 255)');
    await emulateMedia({ colorScheme: 'dark' });
    expect(backgroundOf(auto)).to.equal('rgb(13, 17, 23)');
    expect(backgroundOf(light), 'an explicit theme stays').to.equal('rgb(255, 255, 255)');
  });

  it('takes its colours from --agent-chat-* custom properties in any theme', async () => {
    for (const theme of ['light', 'dark']) {
      const el = await fixture<AgentChat>(
        html`<agent-chat theme=${theme} style="--agent-chat-background: rgb(250, 240, 230); --agent-chat-accent-color: rgb(120, 40, 140)"></agent-chat>`,
      );
      expect(backgroundOf(el)).to.equal('rgb(250, 240, 230)');
      expect(getComputedStyle($(el, '[part=send-button]')!).backgroundColor).to.equal('rgb(120, 40, 140)');
    }
  });

  it('leaves the host page alone: no styles, fonts or requests of its own', async () => {
    const requests = recordRequests();
    const page = await fixture<HTMLElement>(html`<div><p>Host text</p><button>Host button</button></div>`);
    // Everything of the host page the widget could disturb.
    const hostState = () => ({
      styleSheets: document.styleSheets.length,
      adopted: document.adoptedStyleSheets.length,
      head: document.head.children.length,
      fonts: document.fonts.size,
      p: { ...getComputedStyle(page.querySelector('p')!) },
      button: { ...getComputedStyle(page.querySelector('button')!) },
    });
    const before = hostState();
    const el = document.createElement('agent-chat');
    el.endpoint = '/scripted/seed';
    el.theme = 'dark';
    page.append(el);
    await converse(el);
    expect(hostState()).to.deep.equal(before);
    expect(await requests.stop()).to.deep.equal(['/scripted/seed']);
  });

  it('stops its animations for readers who prefer reduced motion', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/silent"></agent-chat>`);
    el.send('Hi');
    await el.updateComplete;
    const thinking = $(el, '[part=thinking]')!;
    expect(getComputedStyle(thinking).animationName).to.equal('pulse');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(thinking).animationName).to.equal('none');
    el.stop();
  });

  it('keeps the input at 16px or more, so phones do not zoom into it', async () => {
    const el = await fixture<AgentChat>(
      html`<agent-chat style="font-size: 12px; --agent-chat-font-size: 12px"></agent-chat>`,
    );
    expect(parseFloat(getComputedStyle($(el, 'textarea')!).fontSize)).to.be.at.least(16);
  });

  it('shows where the keyboard focus is', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat></agent-chat>`);
    $(el, 'textarea')!.focus();
    await sendKeys({ press: 'Tab' });
    const focused = el.shadowRoot!.activeElement!;
    expect(focused.getAttribute('part')).to.equal('send-button');
    expect(getComputedStyle(focused).outlineStyle).to.equal('solid');
    expect(getComputedStyle(focused).outlineWidth).to.equal('2px');
  });
});

describe('<agent-chat> accessibility (axe)', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  for (const mode of ['inline', 'launcher']) {
    for (const theme of ['light', 'dark']) {
      it(`passes in ${mode} mode with the ${theme} theme`, async () => {
        const el = await fixture<AgentChat>(
          html`<agent-chat mode=${mode} theme=${theme} ?open=${mode === 'launcher'} endpoint="/scripted/seed"></agent-chat>`,
        );
        await converse(el);
        await expect(el).to.be.accessible();
      });
    }
  }

  it('passes with theme="auto" on a dark system, with an error and the retry button', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture<AgentChat>(html`<agent-chat theme="auto" endpoint="/scripted/agent-error"></agent-chat>`);
    const done = nextDone(el);
    el.send('Hello');
    await done;
    await el.updateComplete;
    expect($(el, '[part=retry-button]')).to.exist;
    await expect(el).to.be.accessible();
  });

  it('passes with the launcher closed', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat mode="launcher" endpoint="/scripted/seed"></agent-chat>`);
    await expect(el).to.be.accessible();
  });
});
