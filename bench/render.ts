/**
 * Render cost: in headless Chromium, the real `<agent-chat>` from dist/agent-chat.js, loaded by a
 * script tag, renders one assistant message of 20,000 tokens of mixed markdown from a scripted
 * Wire 2 endpoint. It is driven only through its public surface: `send()`, `agent-chat-event`
 * and the rendered shadow DOM. Two figures, each the median of fresh-page runs:
 *
 * - Tokens per second: all 20,000 tokens are written at once (TCP flow control is the only
 *   brake); 20,000 ÷ the time from the first token event to the last token rendered and laid
 *   out, both read in the page (on loopback the first token arrives within a millisecond of
 *   being sent).
 * - Flatness: main-thread time per token over the last tenth ÷ over the first tenth. In these
 *   tenths the server sends about 100 tokens at a time and the next batch as soon as the page has
 *   rendered the previous one (it waits for a marker word to show, then acks) — as fast as the
 *   browser takes them, yet the same number of renders in both tenths. Flooded instead, a tenth
 *   gets one or two renders depending on how the browser happens to chunk the stream, and the
 *   ratio swings from run to run. Main-thread time is CDP `Performance.getMetrics` TaskDuration
 *   in thread ticks (CPU time, so time descheduled on a busy machine does not count), sampled at
 *   the tenths' boundaries; the tokens in between are flooded.
 *
 * Two more, in a second widget on the same page, one answer at a time:
 *
 * - Long answers without a blank line: a 100 KB table, list and one-line paragraph, streamed at
 *   1 KB every 16 ms. Every animation frame callback (where the widget parses and renders) is
 *   timed, and the style and layout it caused are forced and timed after it; the figure is the
 *   worst shape's p95 of parse and render over the frames of the last fifth of the stream, when
 *   the answer is 80–100 KB long. The layout is printed beside it: it is the browser's, and for one
 *   block this long it grows with the block (see docs/benchmarks.md).
 * - The pathological corpus (bench/support/pathological-markdown.ts, the one the widget tests run
 *   in CI) at 8 KB and 64 KB, streamed as fast as the socket takes it: main-thread CPU time (CDP
 *   TaskDuration) from send to the answer drawn, the smaller of two runs; the figure is the worst
 *   case's 64 KB ÷ 8 KB ratio (8 for a linear renderer, 64 for a quadratic one).
 *
 * Each measured message follows a 2,000-token warm-up message in the same page, so compiling the
 * widget's code is not counted in the first tenth. The rendered text is checked for every marker
 * word in order and the last token, before the final `message` event (which would mask lost
 * tokens) and after `done`; when the widget renders markdown, for one code block, one table and
 * three list items per section; when it does not, for the exact text.
 */
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../dev/support/chromium.ts';
import { longAnswers } from './support/long-answers.ts';
import { type Corpus, MARKER, markdownCorpus } from './support/markdown-corpus.ts';
import { PATHOLOGICAL_CASES } from './support/pathological-markdown.ts';
import { figure, main, ms, percentile, perSecond, ratio } from './support/report.ts';
import {
  type AnswerRun,
  type Pause,
  RENDER_PAGE,
  type RenderPlan,
  type RenderRun,
  type RenderSnapshot,
} from './support/render-page.ts';

const TOKENS = 20_000;
const WARMUP_TOKENS = 2_000;
/** Tokens per batch in the measured tenths of the flatness runs (about what a fast model streams in a second). */
const BATCH = 100;
/** Fresh pages per figure, the median reported. */
const SPEED_RUNS = 3;
const FLATNESS_RUNS = 5;
const RUN_TIMEOUT_MS = 180_000;
/** Long answers: characters per token, and per batch sent every PACE_MS. */
const LONG_TOKEN = 32;
const LONG_BATCH = 1024;
const PACE_MS = 16;
const PATHOLOGICAL_SIZES = [8 * 1024, 64 * 1024] as const;
const SCRIPT = fileURLToPath(new URL('../dist/agent-chat.js', import.meta.url));

interface Stream {
  corpus: Corpus;
  /** Token counts after which the server waits for the page's ack, ascending; the last is all tokens. */
  points: number[];
}

/** The page's acks of pause points; `onAck` (a CDP sample) runs before the waiting stream goes on. */
class Acks {
  private waiting = new Map<string, () => void>();
  private arrived = new Set<string>();
  onAck: (at: string) => Promise<void> = async () => {};

  async receive(at: string): Promise<void> {
    await this.onAck(at);
    const resume = this.waiting.get(at);
    this.waiting.delete(at);
    if (resume) resume();
    else this.arrived.add(at);
  }

  wait(at: number | string): Promise<void> {
    const key = String(at);
    if (this.arrived.delete(key)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

function frame(seq: number, event: string, data: unknown): string {
  return `id: bench:${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An answer for the second widget: its tokens, sent `batch` characters at a time every `paceMs` (0: all at once). */
interface Answer {
  tokens: string[];
  batch: number;
  paceMs: number;
}

const tokensOf = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

async function playAnswer(res: ServerResponse, { tokens, batch, paceMs }: Answer): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let seq = 0;
  res.write(frame(++seq, 'start', { session_id: 'bench', run_id: 'bench' }));
  const perBatch = paceMs ? Math.max(1, Math.round(batch / (tokens[0]?.length || 1))) : tokens.length;
  for (let i = 0; i < tokens.length; i += perBatch) {
    res.write(
      tokens
        .slice(i, i + perBatch)
        .map((delta) => frame(++seq, 'token', { delta }))
        .join(''),
    );
    if (paceMs) await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  res.end(frame(++seq, 'done', { status: 'complete' }));
}

/** Plays one Wire 2 stream: start, agent_start, the tokens in segments between pause points, message, done. */
async function play(res: ServerResponse, { corpus, points }: Stream, acks: Acks): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let seq = 0;
  res.write(
    frame(++seq, 'start', { session_id: 'bench', run_id: 'bench' }) +
      frame(++seq, 'agent_start', { session_id: 'bench', status: 'started' }),
  );
  await acks.wait(0);
  let sent = 0;
  for (const at of points) {
    // A whole segment in one write: the socket, not the server, sets the pace.
    res.write(
      corpus.tokens
        .slice(sent, at)
        .map((delta) => frame(++seq, 'token', { delta }))
        .join(''),
    );
    sent = at;
    await acks.wait(at);
  }
  await acks.wait('finish');
  res.end(
    frame(++seq, 'message', { content: corpus.text, partial: true }) + frame(++seq, 'done', { status: 'complete' }),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * A pause near token `at` whose marker the page can see: at the first paragraph or list marker
 * token at or after it, or at the end of the message (the sentinel) when there is none.
 */
function pausePoint(corpus: Corpus, at: number): Pause {
  for (let i = at - 1; i < corpus.tokens.length - 2; i++) {
    // The token after the marker goes too: a renderer may hold back a word still being written.
    if (/^ mkw\d+$/.test(corpus.tokens[i]!)) return { at: i + 2, marker: corpus.tokens[i]!.trim() };
  }
  return { at: corpus.tokens.length, marker: corpus.sentinel };
}

/** Pauses about every BATCH tokens after `from`, the last one at or past `to`. */
function batches(corpus: Corpus, from: number, to: number): Pause[] {
  const pauses: Pause[] = [];
  for (let at = from; at < to; ) {
    const pause = pausePoint(corpus, Math.min(at + BATCH, to));
    pauses.push(pause);
    at = pause.at;
  }
  return pauses;
}

/** Checks the rendered message; says how the widget rendered it. */
function verify(label: string, corpus: Corpus, snapshot: RenderSnapshot, before: RenderSnapshot): string {
  const markers = snapshot.text.match(MARKER) ?? [];
  const wrong = corpus.markers.findIndex((m, i) => markers[i] !== m);
  if (wrong >= 0 || markers.length !== corpus.markers.length) {
    throw new Error(
      `${label}: ${markers.length} of ${corpus.markers.length} marker words rendered; first wrong: #${wrong} ${markers[wrong]} for ${corpus.markers[wrong]}`,
    );
  }
  if (!snapshot.text.includes(corpus.sentinel))
    throw new Error(`${label}: the last token ${corpus.sentinel} is not rendered`);
  const blocks = {
    codeBlocks: snapshot.codeBlocks - before.codeBlocks,
    tables: snapshot.tables - before.tables,
    listItems: snapshot.listItems - before.listItems,
  };
  if (blocks.codeBlocks + blocks.tables + blocks.listItems === 0) {
    // A widget without markdown: then the text must be the message, character for character.
    if (!snapshot.text.includes(corpus.text))
      throw new Error(`${label}: the rendered text differs from the tokens sent`);
    return 'plain text (no markdown rendering), exactly the tokens sent';
  }
  for (const [kind, count] of Object.entries(blocks)) {
    const expected = corpus[kind as keyof typeof blocks];
    if (count !== expected) throw new Error(`${label}: ${count} ${kind} rendered, ${expected} expected`);
  }
  return `markdown: ${blocks.codeBlocks} code blocks, ${blocks.tables} tables, ${blocks.listItems} list items, every word in order`;
}

type BenchWindow = { benchRun(plan: RenderPlan): Promise<RenderRun> };

main(async () => {
  const script = await readFile(SCRIPT).catch(() => {
    throw new Error('dist/agent-chat.js is missing: run `npm run build` first');
  });
  const streams = new Map<string, Stream>();
  const answerStreams = new Map<string, Answer>();
  const acks = new Acks();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'GET' && url.pathname === '/')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(RENDER_PAGE);
    if (req.method === 'GET' && url.pathname === '/agent-chat.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (req.method === 'POST' && url.pathname === '/bench/ack') {
      await acks.receive(url.searchParams.get('at')!);
      return void res.writeHead(204).end();
    }
    if (req.method === 'POST' && url.pathname === '/v1/chat/stream') {
      const { message } = JSON.parse(await readBody(req)) as { message: string };
      const stream = streams.get(message);
      if (stream) return play(res, stream, acks);
      const answer = answerStreams.get(message);
      if (answer) return playAnswer(res, answer);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchChromium();

  /** In a fresh page: a warm-up message, then the measured one with its pauses. */
  async function measure(label: string, corpus: Corpus, pauses: Pause[]) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const taskSeconds = new Map<string, number>();
    acks.onAck = async (at) => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      taskSeconds.set(at, metrics.find((m) => m.name === 'TaskDuration')!.value);
    };
    await page.goto(base);
    await page.evaluate(() => customElements.whenDefined('agent-chat'));
    const benchRun = (plan: RenderPlan) =>
      Promise.race([
        page.evaluate((p) => (window as unknown as BenchWindow).benchRun(p), plan),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`${plan.label}: not rendered within ${RUN_TIMEOUT_MS / 1000} s`)),
            RUN_TIMEOUT_MS,
          ).unref(),
        ),
      ]);

    const warm = markdownCorpus(WARMUP_TOKENS, `warm${label}`);
    streams.set(`warmup-${label}`, { corpus: warm, points: [WARMUP_TOKENS] });
    const warmRun = await benchRun({
      label: `warmup-${label}`,
      pauses: [{ at: 0 }, { at: WARMUP_TOKENS, marker: warm.sentinel }],
      after: '',
    });

    streams.set(label, { corpus, points: pauses.map((p) => p.at).filter((at) => at > 0) });
    const run = await benchRun({ label, pauses, after: warm.sentinel });
    await page.close();
    if (errors.length) throw new Error(`${label}: errors in the page: ${errors.join('; ')}`);
    if (run.doneStatus !== 'complete') throw new Error(`${label}: done ${run.doneStatus}`);
    const rendering = verify(label, corpus, run.fromTokens, warmRun.final);
    verify(`${label} after message and done`, corpus, run.final, warmRun.final);
    return { run, taskSeconds, rendering };
  }

  try {
    const corpus = markdownCorpus(TOKENS, 'bench');
    const end: Pause = { at: TOKENS, marker: corpus.sentinel };
    console.log(
      `render: one assistant message of ${TOKENS.toLocaleString('en-US')} tokens of mixed markdown (${corpus.text.length.toLocaleString('en-US')} characters) in the real <agent-chat>; ` +
        `tokens/s flooded, flatness in render-paced batches of ~${BATCH} tokens`,
    );

    const speeds: number[] = [];
    for (let i = 0; i < SPEED_RUNS; i++) {
      const { run, taskSeconds, rendering } = await measure(`speed-${i}`, corpus, [{ at: 0 }, end]);
      if (i === 0) console.log(`  rendered: ${rendering}`);
      const seconds = (run.rendered[TOKENS]! - run.firstToken) / 1000;
      const cpuPerToken = ((taskSeconds.get(String(TOKENS))! - taskSeconds.get('0')!) / TOKENS) * 1e6;
      console.log(
        `  speed run ${i + 1}: first token → last token rendered ${(seconds * 1000).toFixed(0)} ms; main-thread time ${cpuPerToken.toFixed(1)} µs per token`,
      );
      speeds.push(TOKENS / seconds);
    }

    const firstTenth = batches(corpus, 0, TOKENS / 10);
    const lastStart = pausePoint(corpus, TOKENS - TOKENS / 10);
    const lastTenth = batches(corpus, lastStart.at, TOKENS);
    // The first tenth is tokens 1–firstEnd, the last one lastBegin+1–TOKENS (pauses fall on marker words).
    const firstEnd = firstTenth.at(-1)!.at;
    const lastBegin = lastStart.at;
    const ratios: number[] = [];
    for (let i = 0; i < FLATNESS_RUNS; i++) {
      const { taskSeconds } = await measure(`flatness-${i}`, corpus, [
        { at: 0 },
        ...firstTenth,
        lastStart,
        ...lastTenth,
      ]);
      const task = (at: number) => taskSeconds.get(String(at))!;
      const perTokenFirst = (task(firstEnd) - task(0)) / firstEnd;
      const perTokenLast = (task(TOKENS) - task(lastBegin)) / (TOKENS - lastBegin);
      console.log(
        `  flatness run ${i + 1}: main-thread time per token, tokens 1–${firstEnd} ${(perTokenFirst * 1e6).toFixed(1)} µs, ` +
          `tokens ${lastBegin + 1}–${TOKENS} ${(perTokenLast * 1e6).toFixed(1)} µs: ${ratio(perTokenLast / perTokenFirst)}`,
      );
      ratios.push(perTokenLast / perTokenFirst);
    }

    // The second widget: long answers without a blank line, then the pathological corpus.
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const taskSeconds = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value;
    await page.goto(base);
    await page.evaluate(() => customElements.whenDefined('agent-chat'));
    type AnswerWindow = { benchAnswer(label: string, sentinel: string): Promise<AnswerRun> };
    const answerOnce = async (
      label: string,
      text: string,
      sentinel: string,
      answer: Omit<Answer, 'tokens'> & { token: number },
    ) => {
      answerStreams.set(label, { tokens: tokensOf(text, answer.token), batch: answer.batch, paceMs: answer.paceMs });
      const before = await taskSeconds();
      const run = await page.evaluate(
        ([l, s]) => (window as unknown as AnswerWindow).benchAnswer(l!, s!),
        [label, sentinel],
      );
      const cpu = (await taskSeconds()) - before;
      answerStreams.delete(label);
      if (run.doneStatus !== 'complete' || !run.sentinelShown || run.fallback || errors.length) {
        throw new Error(
          `${label}: done ${run.doneStatus}, last word shown ${run.sentinelShown}, plain-text fallback ${run.fallback}, page errors: ${errors.join('; ')}`,
        );
      }
      return { ...run, cpuMs: cpu * 1000 };
    };

    const frameP95s: number[] = [];
    for (const long of longAnswers()) {
      const run = await answerOnce(`long-${long.name}`, long.text, long.sentinel, {
        token: LONG_TOKEN,
        batch: LONG_BATCH,
        paceMs: PACE_MS,
      });
      const last = run.frames.slice(Math.floor(run.frames.length * 0.8));
      const render = last.map(([script]) => script);
      const layout = last.map(([script, all]) => all - script);
      console.log(
        `  100 KB ${long.name} without a blank line, ${run.frames.length} frames; per frame over the last fifth: ` +
          `parse and render p50 ${ms(percentile(render, 50))} p95 ${ms(percentile(render, 95))} max ${ms(Math.max(...render))}; ` +
          `then style and layout p50 ${ms(percentile(layout, 50))} p95 ${ms(percentile(layout, 95))}`,
      );
      frameP95s.push(percentile(render, 95));
    }

    const caseRatios: number[] = [];
    for (const { name, text } of PATHOLOGICAL_CASES) {
      const cpu = [];
      for (const size of PATHOLOGICAL_SIZES) {
        const markdown = `${text(size)}\n\nENDPATH`;
        const runs = [];
        for (let i = 0; i < 2; i++)
          runs.push(
            await answerOnce(`path-${name}-${size}-${i}`, markdown, 'ENDPATH', { token: 256, batch: 0, paceMs: 0 }),
          );
        cpu.push(Math.min(...runs.map((r) => r.cpuMs)));
      }
      const [small, large] = cpu as [number, number];
      caseRatios.push(large / small);
      console.log(
        `  pathological ${name.padEnd(40)} 8 KB ${ms(small).padStart(10)}, 64 KB ${ms(large).padStart(10)}: ${ratio(large / small)}`,
      );
    }
    await page.close();

    figure(
      `render · tokens per second (median of ${SPEED_RUNS})`,
      percentile(speeds, 50),
      { kind: 'min', value: 5_000 },
      perSecond('tokens'),
    );
    figure(
      `render · time per token, last ÷ first tenth (median of ${FLATNESS_RUNS})`,
      percentile(ratios, 50),
      { kind: 'max', value: 1.5 },
      ratio,
    );
    figure('render · 100 KB no blank line, p95 per frame', Math.max(...frameP95s), { kind: 'max', value: 8 }, ms);
    figure(
      `render · pathological 64 ÷ 8 KB, worst of ${PATHOLOGICAL_CASES.length}`,
      Math.max(...caseRatios),
      { kind: 'max', value: 10 },
      ratio,
    );
  } finally {
    await browser.close();
    server.close();
  }
});
