/**
 * The page of the render benchmark: the built widget loaded with one script tag, as a site would,
 * and a small driver that uses only the element's public surface — `send()`, the
 * `agent-chat-event` events and the rendered shadow DOM. `benchRun(plan)` sends one message and,
 * at each of the server's pause points, waits until the marker word of that point shows in the
 * rendered text, then tells the server (which samples the main thread's time over CDP and goes on).
 */

export interface Pause {
  /** Tokens sent before this pause. */
  at: number;
  /** A word that shows in the rendered text once those tokens are rendered (none for `at` 0). */
  marker?: string;
}

export interface RenderPlan {
  label: string;
  pauses: Pause[];
  /** The sentinel of the message before this one: the rendered text of this run starts after it. */
  after: string;
}

export interface RenderSnapshot {
  /** The transcript's text after `after`, through every shadow root. */
  text: string;
  codeBlocks: number;
  tables: number;
  listItems: number;
}

/** One answer in the second widget (`#answers`): how long it took, and each animation frame's cost. */
export interface AnswerRun {
  /** performance.now() from send() to the answer done and drawn. */
  ms: number;
  /** Per animation frame callback while streaming: [the callback (parse and render), with the layout it caused]. */
  frames: Array<[number, number]>;
  doneStatus: string;
  /** Whether the sentinel word shows in the drawn answer. */
  sentinelShown: boolean;
  /** Whether the answer was drawn as the plain-text fallback. */
  fallback: boolean;
}

export interface RenderRun {
  /** performance.now() when the first token event arrived. */
  firstToken: number;
  /** performance.now() when each pause's marker was rendered (and laid out), by `at`. */
  rendered: Record<number, number>;
  /** The message as rendered from its tokens, before the final `message` event. */
  fromTokens: RenderSnapshot;
  /** The message after `message` and `done`. */
  final: RenderSnapshot;
  doneStatus: string;
}

/** Runs in the page: keep it plain JavaScript in a string (it is not bundled). */
const driver = `
const chat = document.querySelector('agent-chat');
// The messages only: outside the transcript part, a live region may repeat an answer for screen readers.
const transcript = () => chat.shadowRoot.querySelector('[part~="transcript"]') ?? chat.shadowRoot;

// Text through every shadow root, a line break at each element so that table cells or list
// items never run together.
function deepText(node) {
  let text = '';
  const walk = (n) => {
    if (n.nodeType === Node.TEXT_NODE) { text += n.data; return; }
    if (n.nodeType === Node.ELEMENT_NODE) text += '\\n';
    if (n.shadowRoot) walk(n.shadowRoot);
    for (let c = n.firstChild; c; c = c.nextSibling) walk(c);
  };
  walk(node);
  return text;
}

function deepCount(selector) {
  let count = 0;
  const walk = (root) => {
    count += root.querySelectorAll(selector).length;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(transcript());
  return count;
}

function tail(after) {
  const text = deepText(transcript());
  return after ? text.slice(text.lastIndexOf(after) + after.length) : text;
}

function snapshot(after) {
  return { text: tail(after), codeBlocks: deepCount('pre'), tables: deepCount('table'), listItems: deepCount('li') };
}

// The transcript's last characters, walking back from its end: what a pause waits for is there,
// and reading them costs the same at token 2,000 as at token 20,000.
function endText(limit) {
  const parts = [];
  let length = 0;
  const walk = (n) => {
    if (n.nodeType === Node.TEXT_NODE) { parts.push(n.data); length += n.data.length; return; }
    if (n.nodeType === Node.ELEMENT_NODE) parts.push('\\n');
    for (let c = n.lastChild; c && length < limit; c = c.previousSibling) walk(c);
    if (n.shadowRoot && length < limit) walk(n.shadowRoot);
  };
  walk(transcript());
  return parts.reverse().join('');
}

// The marker as a whole word: mkw19 must not be taken for mkw190.
function shows(text, marker) {
  const word = /[0-9A-Za-z]/;
  for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
    if (!word.test(text.charAt(i - 1)) && !word.test(text.charAt(i + marker.length))) return true;
  }
  return false;
}

// Checked once per frame, and only while the server waits: polling costs nothing mid-stream.
function whenRendered(marker) {
  return new Promise((resolve) => {
    const check = () => {
      if (shows(endText(4096), marker)) {
        chat.getBoundingClientRect(); // style and layout of what was rendered count too
        resolve(performance.now());
      } else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

const ack = (at) => fetch('/bench/ack?at=' + at, { method: 'POST' });

// The second widget: one answer at a time, timed. Every animation frame callback (the widget renders
// in them) is timed while an answer streams, and the layout it caused is forced and timed with it.
const answers = document.getElementById('answers');
let frames = null;
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => raf((time) => {
  if (!frames) return callback(time);
  const start = performance.now();
  callback(time);
  const rendered = performance.now();
  answers.getBoundingClientRect();
  frames.push([rendered - start, performance.now() - start]);
});

window.benchAnswer = (label, sentinel) => new Promise((resolve, reject) => {
  answers.clear();
  const start = performance.now();
  frames = [];
  const onDone = async ({ detail }) => {
    answers.removeEventListener('agent-chat-done', onDone);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    const ms = performance.now() - start;
    const recorded = frames;
    frames = null;
    const md = answers.shadowRoot.querySelector('[part~="message-assistant"] .md');
    resolve({
      ms,
      frames: recorded,
      doneStatus: detail.status,
      sentinelShown: !!md && md.textContent.includes(sentinel),
      fallback: !!answers.shadowRoot.querySelector('[part="render-notice"]'),
    });
  };
  answers.addEventListener('agent-chat-done', onDone);
  if (answers.send(label) === false) reject(new Error('send() refused the message'));
});

window.benchRun = (plan) => new Promise((resolve, reject) => {
  const pauses = new Map(plan.pauses.map((p) => [p.at, p.marker]));
  const last = Math.max(...pauses.keys());
  const run = { rendered: {} };
  let tokens = 0;
  const onEvent = async ({ detail: { event, data } }) => {
    try {
      if (event === 'agent_start' && pauses.has(0)) await ack(0);
      if (event === 'token' && ++tokens === 1) run.firstToken = performance.now();
      if (event === 'token' && pauses.has(tokens) && tokens > 0) {
        const at = tokens;
        run.rendered[at] = await whenRendered(pauses.get(at));
        await ack(at);
        if (at === last) {
          run.fromTokens = snapshot(plan.after);
          await ack('finish');
        }
      }
      if (event === 'error') reject(new Error('the widget got an error event: ' + JSON.stringify(data)));
      if (event === 'done') {
        chat.removeEventListener('agent-chat-event', onEvent);
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
        resolve({ ...run, final: snapshot(plan.after), doneStatus: data.status });
      }
    } catch (error) {
      reject(error);
    }
  };
  chat.addEventListener('agent-chat-event', onEvent);
  // send() returns a promise in some versions of the widget, whether it sent in others.
  const sent = chat.send(plan.label);
  if (sent === false) reject(new Error('send() refused the message'));
  else Promise.resolve(sent).catch(reject);
});
`;

export const RENDER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>agent-chat render benchmark</title>
<style>body { margin: 0; } agent-chat { --agent-chat-height: 100vh; }</style>
<script src="/agent-chat.js"></script>
</head>
<body>
<agent-chat endpoint="/v1/chat/stream"></agent-chat>
<agent-chat id="answers" endpoint="/v1/chat/stream" persist="none" show-tools="false"></agent-chat>
<script>${driver}</script>
</body>
</html>`;
