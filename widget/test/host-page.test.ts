/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { $, converse } from './helpers.ts';

/** What a host page's styles could change about the widget's text and boxes. */
const PROPERTIES = [
  'fontSize',
  'fontFamily',
  'fontStyle',
  'fontWeight',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'textAlign',
  'textTransform',
  'textIndent',
  'whiteSpace',
  'color',
  'paddingTop',
  'paddingLeft',
] as const;

const PARTS = {
  base: '[part=base]',
  heading: '[part=heading]',
  user: '[part~=message-user]',
  answer: '[part~=message-assistant] .md p',
  tool: '[part=tool-card] summary',
  code: '[part=code-block] code',
  cell: '.md td',
  input: '[part=input]',
  send: '[part=send-button]',
};

/** A widget showing every kind of content, on the page as it is styled now. */
async function widget(): Promise<AgentChat> {
  const el = await fixture<HTMLElement>(
    html`<div style="width: 600px"><agent-chat endpoint="/scripted/echo?delay=0"></agent-chat></div>`,
  );
  const chat = el.querySelector('agent-chat')!;
  await converse(chat, 'An *answer*\n\n```js\nlet a = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |');
  return chat;
}

function looks(el: AgentChat): Record<string, Record<string, string | number>> {
  return Object.fromEntries(
    Object.entries(PARTS).map(([name, selector]) => {
      const part = $(el, selector)!;
      const style = getComputedStyle(part);
      const box = part.getBoundingClientRect();
      return [
        name,
        {
          ...Object.fromEntries(PROPERTIES.map((p) => [p, style[p]])),
          width: Math.round(box.width),
          height: Math.round(box.height),
        },
      ];
    }),
  );
}

/** Styles a host page might have: a 62.5 % root, centred, spaced, uppercase, italic, heavy Impact text. */
const HOSTILE = `
  html { font-size: 62.5%; }
  body { text-align: center; letter-spacing: 2px; word-spacing: 6px; line-height: 3; text-transform: uppercase;
    font: italic 900 20px Impact, fantasy; white-space: pre; text-indent: 2em; color: rgb(200, 0, 0); }`;

describe('<agent-chat> on any page', () => {
  let style: HTMLStyleElement | undefined;
  beforeEach(() => sessionStorage.clear());
  afterEach(() => {
    style?.remove();
    document.documentElement.removeAttribute('dir');
  });

  it('looks the same on a hostile page as on a plain one', async () => {
    const plain = looks(await widget());
    style = document.head.appendChild(document.createElement('style'));
    style.textContent = HOSTILE;
    const hostile = looks(await widget());
    expect(hostile).to.deep.equal(plain);
    // Sizes are its own, not the page's root font size: 16px text, a 512px box.
    expect(plain.answer!.fontSize).to.equal('16px');
    expect(plain.base!.height).to.equal(512);
  });

  it('mirrors on a right-to-left page, and only that changes', async () => {
    const ltr = await widget();
    const plain = looks(ltr);
    const userLeftLtr =
      $(ltr, PARTS.user)!.getBoundingClientRect().left - $(ltr, PARTS.base)!.getBoundingClientRect().left;
    document.documentElement.setAttribute('dir', 'rtl');
    const rtl = await widget();
    expect(looks(rtl)).to.deep.equal(plain);
    expect(getComputedStyle($(rtl, PARTS.base)!).direction).to.equal('rtl');
    // The user's messages sit at the end of the line: the right in English, the left in Arabic.
    const userLeftRtl =
      $(rtl, PARTS.user)!.getBoundingClientRect().left - $(rtl, PARTS.base)!.getBoundingClientRect().left;
    expect(userLeftLtr).to.be.greaterThan(200);
    expect(userLeftRtl).to.be.lessThan(20);
  });

  it('puts the launcher in the corner at the end of the line', async () => {
    document.documentElement.setAttribute('dir', 'rtl');
    const el = await fixture<AgentChat>(html`<agent-chat mode="launcher"></agent-chat>`);
    expect($(el, '[part=launcher]')!.getBoundingClientRect().left).to.equal(16);
  });
});

/** A page of its own with `csp`, the widget's module, and a conversation: what it shows, and what the policy refused. */
async function pageWithPolicy(csp: string): Promise<{ answer: string | undefined; violations: string[] }> {
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="${csp}">
    <script>violations = []; document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));</script>
    <script type="module" src="/widget/src/agent-chat.ts"></script>
    <agent-chat endpoint="/scripted/seed" persist="none"></agent-chat>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  try {
    await loaded;
    const win = frame.contentWindow! as Window & typeof globalThis & { violations: string[] };
    const { violations } = win;
    const within = (promise: Promise<unknown>, what: string) =>
      Promise.race([
        promise,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: timed out`)), 4000)),
      ]);
    // Where the policy refuses Lit, its module fails and the element is never defined.
    if (
      !(await within(win.customElements.whenDefined('agent-chat'), 'defined').then(
        () => true,
        () => false,
      ))
    )
      return { answer: undefined, violations };
    const chat = win.document.querySelector('agent-chat') as AgentChat;
    await within(converse(chat), 'conversation').catch((e) => violations.push(String(e)));
    return {
      answer: chat.shadowRoot?.querySelector('[part~=message-assistant] .md')?.textContent ?? undefined,
      violations,
    };
  } finally {
    frame.remove();
  }
}

describe('<agent-chat> on a page that enforces Trusted Types', () => {
  it('works with the policy named lit-html allowed, and only with it', async function () {
    this.timeout(20_000);
    const allowed = await pageWithPolicy("require-trusted-types-for 'script'; trusted-types lit-html");
    expect(allowed).to.deep.equal({ answer: 'The result of 5+5 is 10.', violations: [] });
    const refused = await pageWithPolicy("require-trusted-types-for 'script'; trusted-types 'none'");
    expect(refused.answer).to.equal(undefined);
    expect(refused.violations).to.include('trusted-types');
  });
});
