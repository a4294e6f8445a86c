/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../src/agent-chat.ts';
import type { AgentChat } from '../src/agent-chat.ts';
import { MarkdownSource } from '../src/markdown/source.ts';
import { MarkdownView } from '../src/markdown/view.ts';
import { $, nextDone, recordRequests } from './helpers.ts';

declare global {
  interface Window {
    pwned?: string;
  }
}

/** Any request here is counted by the scripted BFF: nothing rendered may ever reach it. */
const exfil = (tag: string) => `${location.origin}/exfil/${tag}`;

/** What a model (or whoever steers it) might write to run script or leak the conversation. */
const CORPUS = [
  `<script>window.pwned = 'script'</script>`,
  `<img src="${exfil('img')}" onerror="window.pwned='img'">`,
  `<svg onload="window.pwned='svg'"><script>window.pwned='svg-script'</script></svg>`,
  `<iframe src="javascript:parent.pwned='iframe'"></iframe>`,
  `<iframe srcdoc="<script>parent.pwned='srcdoc'</script>"></iframe>`,
  `<a href="javascript:window.pwned='a'">click</a>`,
  `[click me](javascript:window.pwned='md-link')`,
  `[upper](JaVaScRiPt:window.pwned='case')`,
  `[tab](java\tscript:window.pwned='tab')`,
  `[spaced]( javascript:window.pwned='spaced')`,
  `[entity](&#106;avascript:window.pwned='entity')`,
  `[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9J2RhdGEnPC9zY3JpcHQ+)`,
  `[vb](vbscript:msgbox(1))`,
  `[relative](/exfil/relative)`,
  `<javascript:window.pwned='autolink'>`,
  `![exfiltrate](${exfil('md-image')}?secret=the-conversation)`,
  `![js](javascript:window.pwned='img-js')`,
  `![svg](data:image/svg+xml,<svg onload=window.pwned='data-svg'>)`,
  `<style>@import url(${exfil('style-import')}); * { background: url(${exfil('style-bg')}) }</style>`,
  `<link rel="stylesheet" href="${exfil('link')}"><link rel="prefetch" href="${exfil('prefetch')}">`,
  `<video src="${exfil('video')}" autoplay></video><audio src="${exfil('audio')}" autoplay></audio>`,
  `<object data="${exfil('object')}"></object><embed src="${exfil('embed')}">`,
  `<form action="${exfil('form')}"><button>go</button></form>`,
  `<meta http-equiv="refresh" content="0;url=${exfil('meta')}">`,
  `<div style="background:url(${exfil('inline-style')})" onmouseover="window.pwned='hover'">hover</div>`,
  `[title](${exfil('title')} "x" onmouseover="window.pwned='attr'")`,
  `[x"><img src=${exfil('breakout')} onerror=window.pwned='breakout'>](https://example.com/)`,
  '```html\n<img src=x onerror="window.pwned=\'fence\'">\n```',
  '`<img src=x onerror="window.pwned=\'code\'">`',
  `| <img src=${exfil('table')} onerror=window.pwned='table'> | b |\n|---|---|\n| <script>window.pwned='cell'</script> | c |`,
  `> <img src=${exfil('quote')} onerror=window.pwned='quote'>`,
  `- <img src=${exfil('list')} onerror=window.pwned='list'>`,
  `${exfil('bare')}?q=<img src=x onerror=window.pwned='bare'>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=window.pwned='mxss'>`,
  `**<img src=x onerror=window.pwned='strong'>**`,
];

const FORBIDDEN =
  'script, img, svg, iframe, object, embed, video, audio, style, link, form, meta, math, source, picture, input, base, frame';
const SAFE_LINK = /^(https?:|mailto:)/;

/** Everything about `root` that could run script or load something. */
function dangers(root: ParentNode): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll(FORBIDDEN)) found.push(`<${el.localName}>`);
  for (const el of root.querySelectorAll('*')) {
    for (const { name, value } of el.attributes) {
      if (
        name.startsWith('on') ||
        ['style', 'src', 'srcdoc', 'srcset', 'action', 'formaction', 'data', 'background', 'poster'].includes(name)
      ) {
        found.push(`${el.localName}[${name}]`);
      }
      if (name === 'href' && !SAFE_LINK.test(value)) found.push(`${el.localName}[href=${value}]`);
    }
    if (
      el.localName === 'a' &&
      (el.getAttribute('target') !== '_blank' || el.getAttribute('rel') !== 'noopener noreferrer')
    )
      found.push('unsafe <a>');
  }
  return found;
}

async function exfilRequests(): Promise<number> {
  return (await (await fetch('/scripted-exfil')).json()).requests;
}

describe('hostile answers', () => {
  let requests: ReturnType<typeof recordRequests>;
  let exfilBefore: number;

  beforeEach(async () => {
    sessionStorage.clear();
    delete window.pwned;
    exfilBefore = await exfilRequests();
    requests = recordRequests();
  });

  afterEach(() => requests.stop());

  it('render as text at every step of streaming, running nothing and loading nothing', async () => {
    const box = document.createElement('div');
    document.body.append(box);
    try {
      for (const payload of CORPUS) {
        const view = new MarkdownView(new MarkdownSource(), { copy: 'Copy', copied: 'Copied', image: 'Image' });
        box.replaceChildren(view.element);
        for (const char of payload) {
          view.append(char);
          view.flush();
          expect(dangers(view.element), `${payload} at "${view.source.text}"`).to.deep.equal([]);
        }
      }
    } finally {
      box.remove();
    }
    expect(await requests.stop()).to.deep.equal([]);
    expect(window.pwned).to.equal(undefined);
    expect(await exfilRequests()).to.equal(exfilBefore);
  });

  it('through the whole widget: in the answer, the tool card and the user message', async () => {
    const el = await fixture<AgentChat>(html`<agent-chat endpoint="/scripted/echo?delay=0&size=5"></agent-chat>`);
    const done = nextDone(el);
    el.send(CORPUS.join('\n\n'));
    expect((await done).status).to.equal('complete');
    await el.updateComplete;
    $<HTMLDetailsElement>(el, '[part=tool-card]')!.open = true;
    expect(dangers(el.shadowRoot!.querySelector('[part=transcript]')!)).to.deep.equal([]);
    // Only the one POST went out; nothing the answer says was fetched.
    expect(await requests.stop()).to.deep.equal(['/scripted/echo']);
    expect(window.pwned).to.equal(undefined);
    expect(await exfilRequests()).to.equal(exfilBefore);
    // The markup is there for the reader to see, as text.
    const answer = $(el, '[part~=message-assistant] .md')!.textContent!;
    expect(answer).to.contain(`<script>window.pwned = 'script'</script>`);
    expect(answer).to.contain('Image: exfiltrate');
    expect($(el, '[part~=message-user]')!.textContent).to.contain(`<svg onload="window.pwned='svg'">`);
    expect($(el, '[part=tool-card] pre:last-of-type')!.textContent).to.contain(
      `<iframe src="javascript:parent.pwned='iframe'">`,
    );
  });
});
