/**
 * Concurrency and memory: 1,000 streams held open at once on one BFF process, each receiving a
 * token every second and a heartbeat every second (HEARTBEAT_MS=1000), then released to finish.
 * All must complete with every token in order; the figure is the BFF's RSS growth per open
 * stream: (RSS with all 1,000 open − RSS idle after a warm-up) ÷ 1,000, both sampled after a full
 * GC in the BFF process (support/probe.mjs), so it is memory the streams hold, not garbage.
 */
import type { Agent } from 'node:http';
import { type Child, type EndpointStats, type MemoryUsage, startBff, startEndpoint } from './support/processes.ts';
import { figure, kb, main } from './support/report.ts';
import { type OpenStream, openStream, streamAgent } from './support/sse-client.ts';
import { LAST_TOKEN, type StreamScript, readStamp } from './support/stream-script.ts';

const STREAMS = 1_000;
const HEARTBEAT_MS = 1_000;
const TOKEN_INTERVAL_MS = 1_000;
/** How long to wait for every stream to be open end to end before sampling anyway. */
const OPEN_DEADLINE_MS = 30_000;

type Stream = OpenStream & { errorBody: string };

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Open end to end: the BFF reached upstream (agent_start), a token came through, and a heartbeat. */
function flowing(s: Stream): boolean {
  return s.comments > 0 && s.events.some((e) => e.event === 'token');
}

function verify(s: Stream, stream: number): void {
  const where = `stream ${stream}`;
  if (s.status !== 200) throw new Error(`${where}: HTTP ${s.status} ${s.errorBody}`);
  const names = s.events.map((e) => e.event);
  if (names[0] !== 'start' || names[1] !== 'agent_start' || names.at(-1) !== 'done')
    throw new Error(`${where}: events ${names.join(', ')}`);
  const done = s.events.at(-1)!.data as { status: string };
  if (done.status !== 'complete')
    throw new Error(`${where}: done ${JSON.stringify(done)} after ${JSON.stringify(s.events.at(-2)?.data)}`);
  const tokens = s.events.filter((e) => e.event === 'token').map((e) => readStamp((e.data as { delta: string }).delta));
  tokens.forEach((t, i) => {
    if (t.stream !== stream || t.seq !== i + 1) throw new Error(`${where}: token ${i + 1} is ${t.stream}.${t.seq}`);
  });
  if (tokens.at(-1)?.text !== LAST_TOKEN) throw new Error(`${where}: the last token never arrived`);
  if (s.comments === 0) throw new Error(`${where}: no heartbeat`);
}

/** Opens `count` held streams, waits until all flow (or the deadline), runs `whileOpen`, releases, verifies. */
async function holdStreams(
  bff: Child,
  endpoint: Child,
  agent: Agent,
  count: number,
  label: string,
  whileOpen: (flowingCount: number) => Promise<void>,
): Promise<void> {
  await endpoint.ask('rearm');
  const url = `${bff.url}/v1/chat/stream`;
  const streams = Array.from({ length: count }, (_, i) => {
    const script: StreamScript = {
      stream: i,
      tokens: 0,
      intervalMs: TOKEN_INTERVAL_MS,
      offsetMs: (i * TOKEN_INTERVAL_MS) / count,
      hold: true,
    };
    return openStream(url, { message: JSON.stringify(script), session_id: `${label}-${i}` }, agent);
  });
  // Every stream must still be open when released: one that ends (or fails) before is an error.
  let endedEarly: Error | undefined;
  let released = false;
  streams.forEach((s, i) =>
    s.finished.then(
      () =>
        released ||
        (endedEarly ??= new Error(`stream ${i} ended before it was released: HTTP ${s.status} ${s.errorBody}`)),
      (error: Error) => (endedEarly ??= error),
    ),
  );
  const started = Date.now();
  let open = 0;
  while ((open = streams.filter(flowing).length) < count && Date.now() - started < OPEN_DEADLINE_MS && !endedEarly) {
    await new Promise((r) => setTimeout(r, 250));
  }
  if (endedEarly) throw endedEarly;
  await whileOpen(open);
  if (endedEarly) throw endedEarly;
  released = true;
  await endpoint.ask('release');
  await Promise.all(streams.map((s) => s.finished));
  streams.forEach(verify);
}

async function memory(bff: Child): Promise<MemoryUsage> {
  // Three samples a few hundred ms apart; the middle one by RSS.
  const samples: MemoryUsage[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(await bff.ask<MemoryUsage>('memory'));
    await new Promise((r) => setTimeout(r, 300));
  }
  return samples.sort((a, b) => a.rss - b.rss)[1]!;
}

main(async () => {
  const endpoint = await startEndpoint();
  let bff: Child | undefined;
  const agent = streamAgent();
  try {
    bff = await startBff(endpoint.url, { HEARTBEAT_MS: String(HEARTBEAT_MS) });
    // Warm-up: the code paths of a held stream run (and are compiled) before the baseline.
    await holdStreams(bff, endpoint, agent, 50, 'warmup', () => new Promise((r) => setTimeout(r, 2 * HEARTBEAT_MS)));
    const idle = await memory(bff);
    let held: MemoryUsage | undefined;
    let upstreamOpen = 0;
    let flowingCount = 0;
    await holdStreams(bff, endpoint, agent, STREAMS, 'memory', async (count) => {
      flowingCount = count;
      upstreamOpen = (await endpoint.ask<EndpointStats>('stats')).open;
      held = await memory(bff!);
    });
    const after = await memory(bff);

    console.log(
      `memory: ${STREAMS.toLocaleString('en-US')} streams held open at once on one BFF process, a token and a heartbeat every second each`,
    );
    console.log(
      `  open end to end (token and heartbeat received): ${flowingCount.toLocaleString('en-US')}; open upstream: ${upstreamOpen.toLocaleString('en-US')}`,
    );
    console.log(
      `  all ${STREAMS.toLocaleString('en-US')} completed after release, every token in order, each with heartbeats`,
    );
    console.log(
      `  BFF RSS idle ${MB(idle.rss)}, ${STREAMS.toLocaleString('en-US')} open ${MB(held!.rss)}, all closed ${MB(after.rss)}`,
    );
    const perStream = (key: keyof MemoryUsage) => kb((held![key] - idle[key]) / STREAMS / 1024);
    console.log(
      `  per open stream: JS heap used ${perStream('heapUsed')}, JS heap reserved ${perStream('heapTotal')}, external ${perStream('external')}; the rest of RSS is native (sockets, HTTP parsers)`,
    );
    const unmet =
      flowingCount < STREAMS || upstreamOpen < STREAMS
        ? `only ${Math.min(flowingCount, upstreamOpen)} of ${STREAMS} streams were open end to end`
        : undefined;
    figure(
      'memory · RSS growth per open stream',
      (held!.rss - idle.rss) / STREAMS / 1024,
      { kind: 'max', value: 64 },
      kb,
      unmet,
    );
  } finally {
    agent.destroy();
    await Promise.all([bff?.stop(), endpoint.stop()]);
  }
});
