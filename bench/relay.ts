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
import { INVOKE_PATH, startBff, startBytePipe, startEndpoint } from './support/processes.ts';
import { type PhaseResult, type RelayPath, STREAMS, runPhase } from './support/relay-phase.ts';
import { figure, main, ms, percentile, perSecond, ratio, tooNoisy } from './support/report.ts';
import { streamAgent } from './support/sse-client.ts';

const PACED = { tokens: 250, intervalMs: 20 };
const UNTHROTTLED = { tokens: 1_000, intervalMs: 0 };
const ROUNDS = 8;

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
