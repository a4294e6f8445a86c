/**
 * Relay overhead: what the BFF adds to each event, and how much of a raw byte pipe's throughput
 * it keeps, at 100 concurrent streams. The same synthetic AgentCore endpoint is read through the
 * BFF (its production build of `server/src/main.ts`: Express, the AWS SDK, SSE parse, Wire 1 → Wire 2, SSE write) and
 * through a proxy that only pipes bytes — the physical limit for a relay. Endpoint, relays and
 * clients each run in their own process (see support/processes.ts).
 *
 * All streams of a phase are opened first and start together. Latency is measured with paced
 * streams (50 tokens/s each, a fast model): added latency = a percentile through the BFF minus the
 * same percentile through the pipe, pooled over rounds that alternate the two paths so that drift
 * in the machine's load falls on both. A round's own p99 difference swings by ±2 ms with this
 * machine's load (they are printed), so there are eight rounds: pooled, the figure moves far less.
 * Throughput is measured with unthrottled streams: tokens
 * delivered per second, BFF ÷ pipe. Relay CPU time per token (from the relay process) and the upstream
 * connections it opened are printed too: they explain a figure, and the CPU time is much less
 * sensitive than wall time to other load on the machine.
 */
import type { Agent } from 'node:http';
import {
  type Child,
  type CpuUsage,
  type EndpointStats,
  INVOKE_PATH,
  startBff,
  startBytePipe,
  startEndpoint,
} from './support/processes.ts';
import { figure, main, ms, percentile, perSecond, ratio, tooNoisy } from './support/report.ts';
import { type OpenStream, type ReceivedEvent, openStream, streamAgent } from './support/sse-client.ts';
import { type StreamScript, readStamp } from './support/stream-script.ts';

const STREAMS = 100;
const PACED = { tokens: 250, intervalMs: 20 };
const UNTHROTTLED = { tokens: 1_000, intervalMs: 0 };
const ROUNDS = 8;
/** How long streams wait for all of them to be open upstream before they start anyway. */
const OPEN_DEADLINE_MS = 10_000;

interface RelayPath {
  name: string;
  relay: Child;
  url: string;
  body(script: StreamScript, label: string): unknown;
  /** The event names a complete stream must show: first, token, last. */
  first: string;
  token: string;
  last: string;
}

interface PhaseResult {
  latenciesMs: number[];
  tokens: number;
  seconds: number;
  cpuMicros: number;
  maxOpen: number;
  connections: number;
}

function delta(e: ReceivedEvent): string {
  return (e.data as { delta: string }).delta;
}

/** Throws unless the stream carried exactly its script: first event, every token in order, last event. */
function verify(path: RelayPath, stream: OpenStream & { errorBody: string }, script: StreamScript): ReceivedEvent[] {
  const where = `${path.name}, stream ${script.stream}`;
  if (stream.status !== 200) throw new Error(`${where}: HTTP ${stream.status} ${stream.errorBody}`);
  const names = stream.events.map((e) => e.event);
  const firstIndex = names.indexOf(path.first);
  const tokens = stream.events.filter((e) => e.event === path.token);
  if (firstIndex < 0 || names.at(-1) !== path.last)
    throw new Error(`${where}: events ${names.slice(0, 3).join(', ')} … ${names.slice(-2).join(', ')}`);
  if (path.last === 'done' && (stream.events.at(-1)!.data as { status: string }).status !== 'complete') {
    throw new Error(
      `${where}: ended with ${JSON.stringify(stream.events.at(-2)?.data)} then done ${JSON.stringify(stream.events.at(-1)!.data)}`,
    );
  }
  if (tokens.length !== script.tokens) throw new Error(`${where}: ${tokens.length} of ${script.tokens} tokens arrived`);
  tokens.forEach((e, i) => {
    const stamp = readStamp(delta(e));
    if (stamp.stream !== script.stream || stamp.seq !== i + 1)
      throw new Error(`${where}: token ${i + 1} is ${stamp.stream}.${stamp.seq}`);
  });
  return tokens;
}

/**
 * Runs STREAMS streams of one shape through one path and checks every one. The streams wait at
 * the endpoint until all are open upstream (or a deadline), then start together: the figures are
 * those of STREAMS concurrent streams in flight, not of opening them (time to first event covers
 * that). Throughput counts from the first token's send time to the last token's arrival.
 */
async function runPhase(
  path: RelayPath,
  endpoint: Child,
  agent: Agent,
  label: string,
  shape: { tokens: number; intervalMs: number },
): Promise<PhaseResult> {
  await endpoint.ask('reset-stats');
  await endpoint.ask('rearm');
  const cpuBefore = await path.relay.ask<CpuUsage>('cpu');
  const scripts: StreamScript[] = Array.from({ length: STREAMS }, (_, i) => ({
    stream: i,
    ...shape,
    startOnRelease: true,
    // Paced streams take turns evenly over an interval rather than all sending at the same instant.
    offsetMs: (i * shape.intervalMs) / STREAMS,
  }));
  const streams = scripts.map((script) => openStream(path.url, path.body(script, `${label}-${script.stream}`), agent));
  for (
    const started = Date.now();
    Date.now() - started < OPEN_DEADLINE_MS;
    await new Promise((r) => setTimeout(r, 20))
  ) {
    if (streams.every((s) => s.events.some((e) => e.event === path.first))) break;
  }
  await endpoint.ask('release');
  await Promise.all(streams.map((s) => s.finished));
  const cpuAfter = await path.relay.ask<CpuUsage>('cpu');
  const { maxOpen, connections } = await endpoint.ask<EndpointStats>('stats');

  const latenciesMs: number[] = [];
  let firstSent: bigint | undefined;
  let lastArrival = 0n;
  streams.forEach((stream, i) => {
    const tokens = verify(path, stream, scripts[i]!);
    for (const e of tokens) latenciesMs.push(Number(e.at - readStamp(delta(e)).sentNs) / 1e6);
    const sent = readStamp(delta(tokens[0]!)).sentNs;
    if (firstSent === undefined || sent < firstSent) firstSent = sent;
    if (tokens.at(-1)!.at > lastArrival) lastArrival = tokens.at(-1)!.at;
  });
  return {
    latenciesMs,
    tokens: STREAMS * shape.tokens,
    seconds: Number(lastArrival - firstSent!) / 1e9,
    cpuMicros: cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system,
    maxOpen,
    connections: connections.signed + connections.unsigned,
  };
}

main(async () => {
  const endpoint = await startEndpoint();
  const [bff, pipe] = await Promise.all([startBff(endpoint.url), startBytePipe(endpoint.url)]);
  const agent = streamAgent();
  const paths: RelayPath[] = [
    {
      name: 'raw pipe',
      relay: pipe,
      url: pipe.url + INVOKE_PATH,
      body: (script) => ({ prompt: JSON.stringify(script) }),
      first: 'AGENT_START',
      token: 'LLM_TOKEN',
      last: 'AGENT_END',
    },
    {
      name: 'BFF',
      relay: bff,
      url: `${bff.url}/v1/chat/stream`,
      body: (script, label) => ({ message: JSON.stringify(script), session_id: label }),
      first: 'agent_start',
      token: 'token',
      last: 'done',
    },
  ];
  try {
    console.log(
      `relay: ${STREAMS} concurrent streams; latency at ${1000 / PACED.intervalMs} tokens/s per stream (${PACED.tokens} each), ` +
        `throughput unthrottled (${UNTHROTTLED.tokens.toLocaleString('en-US')} each); ${ROUNDS} rounds alternating the paths, after a warm-up`,
    );
    for (const path of paths) {
      await runPhase(path, endpoint, agent, 'warmup-paced', { tokens: 50, intervalMs: 5 });
      await runPhase(path, endpoint, agent, 'warmup-fast', { tokens: 200, intervalMs: 0 });
    }
    const paced = new Map<RelayPath, PhaseResult[]>(paths.map((p) => [p, []]));
    const unthrottled = new Map<RelayPath, PhaseResult[]>(paths.map((p) => [p, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of round % 2 === 0 ? paths : [...paths].reverse()) {
        paced.get(path)!.push(await runPhase(path, endpoint, agent, `paced-${round}`, PACED));
        unthrottled.get(path)!.push(await runPhase(path, endpoint, agent, `fast-${round}`, UNTHROTTLED));
      }
    }

    const summary = paths.map((path) => {
      const latencies = paced.get(path)!.flatMap((r) => r.latenciesMs);
      const fast = unthrottled.get(path)!;
      const tokens = fast.reduce((n, r) => n + r.tokens, 0);
      const all = [...paced.get(path)!, ...fast];
      const s = {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        throughput: tokens / fast.reduce((n, r) => n + r.seconds, 0),
        cpuPerToken: all.reduce((n, r) => n + r.cpuMicros, 0) / all.reduce((n, r) => n + r.tokens, 0),
        minOpen: Math.min(...all.map((r) => r.maxOpen)),
        connectionsPerStream: all.reduce((n, r) => n + r.connections, 0) / (all.length * STREAMS),
      };
      console.log(
        `  ${path.name.padEnd(9)} latency p50 ${ms(s.p50)}  p99 ${ms(s.p99)}   throughput ${perSecond('tokens')(s.throughput)}   ` +
          `relay CPU ${s.cpuPerToken.toFixed(1)} µs/token   open upstream at once ${s.minOpen}   new upstream connections per stream ${s.connectionsPerStream.toFixed(2)}`,
      );
      return s;
    });
    const tokensPerPath = ROUNDS * STREAMS * (PACED.tokens + UNTHROTTLED.tokens);
    console.log(
      `  every token arrived, in order, on every stream of both paths (${tokensPerPath.toLocaleString('en-US')} per path)`,
    );
    const [raw, relayed] = summary as [(typeof summary)[0], (typeof summary)[0]];
    console.log(`  added latency p50 ${ms(relayed.p50 - raw.p50)}`);
    const [rawRounds, bffRounds] = paths.map((path) => paced.get(path)!.map((r) => percentile(r.latenciesMs, 99))) as [
      number[],
      number[],
    ];
    console.log(
      `  p99 added, round by round: ${bffRounds.map((p99, round) => (p99 - rawRounds[round]!).toFixed(2)).join(', ')} ms`,
    );
    const unmet =
      relayed.minOpen < STREAMS
        ? `only ${relayed.minOpen} of ${STREAMS} streams were open upstream at once through the BFF`
        : undefined;
    figure(
      'relay · p99 added latency per event',
      relayed.p99 - raw.p99,
      { kind: 'max', value: 2 },
      ms,
      unmet ?? tooNoisy('raw pipe', raw.p99, 2),
    );
    figure(
      'relay · throughput BFF ÷ raw pipe',
      relayed.throughput / raw.throughput,
      { kind: 'min', value: 0.8 },
      ratio,
      unmet,
    );
  } finally {
    agent.destroy();
    await Promise.all([bff.stop(), pipe.stop(), endpoint.stop()]);
  }
});
