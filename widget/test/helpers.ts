import { fixture, html, waitUntil } from '@open-wc/testing';
import type { AgentChat } from '../src/agent-chat.ts';

export const $ = <E extends Element = HTMLElement>(el: AgentChat, selector: string) =>
  el.shadowRoot!.querySelector<E>(selector);
export const $$ = <E extends Element = HTMLElement>(el: AgentChat, selector: string) => [
  ...el.shadowRoot!.querySelectorAll<E>(selector),
];

export const transcriptText = (el: AgentChat) => $(el, '[part=transcript]')!.textContent!.replace(/\s+/g, ' ');

/** Types into the input and presses Enter, as a user would. */
export function typeAndSend(el: AgentChat, text: string): void {
  const input = $<HTMLTextAreaElement>(el, 'textarea')!;
  input.value = text;
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
}

/** Resolves with the detail of the next `agent-chat-done`. */
export const nextDone = (el: AgentChat) =>
  new Promise<{ status: string; text: string }>((resolve) =>
    el.addEventListener('agent-chat-done', (e) => resolve(e.detail), { once: true }),
  );

/** What the scripted BFF saw for a scenario: its POSTs, and its run's resumes (with their Last-Event-ID) and cancels. */
export async function scenarioStats(name: string): Promise<{
  posts: number;
  aborted: number;
  sessionId?: string;
  headers?: Record<string, string>;
  gets: number;
  lastEventIds: (string | null)[];
  cancels: number;
}> {
  return (await fetch(`/scripted-posts/${name}`)).json();
}

export const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const waitForAlert = (el: AgentChat) =>
  waitUntil(() => $(el, '[role=alert]'), 'an error is shown', { timeout: 5000 });

/** Records every resource the page requests (resource timing) until `stop()`: paths on this origin, URLs elsewhere. */
export function recordRequests(): { stop: () => Promise<string[]> } {
  const urls: string[] = [];
  const observer = new PerformanceObserver((list) => urls.push(...list.getEntries().map((e) => e.name)));
  observer.observe({ type: 'resource' });
  return {
    async stop() {
      await sleep(200); // let a request that just ended be recorded
      urls.push(...observer.takeRecords().map((e) => e.name));
      observer.disconnect();
      return urls.map((name) => {
        const url = new URL(name, location.href);
        return url.origin === location.origin ? url.pathname : url.href;
      });
    },
  };
}

/** Sends a message and waits for the answer to end and render. */
export async function converse(el: AgentChat, text = 'What is 5+5?'): Promise<{ status: string; text: string }> {
  const done = nextDone(el);
  el.send(text);
  const detail = await done;
  await el.updateComplete;
  return detail;
}

/** A page reload, as far as the element can tell: it goes away and a new one reads the storage. */
export async function reload(el: AgentChat): Promise<AgentChat> {
  const { id, endpoint } = el;
  const persist = el.getAttribute('persist');
  dispatchEvent(new PageTransitionEvent('pagehide'));
  el.remove();
  return fixture<AgentChat>(
    html`<agent-chat id=${id} endpoint=${endpoint} persist=${persist ?? 'session'}></agent-chat>`,
  );
}
