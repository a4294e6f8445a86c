/**
 * Time to first event: what the BFF adds between a browser's POST and its first event, versus
 * calling the AgentCore endpoint directly. The BFF writes `start` before it calls upstream, so
 * `start` says nothing about the relay; the honest first event is `agent_start`, the first one
 * that depends on upstream — compared with the endpoint's own first event, AGENT_START, read
 * directly. Requests are sequential (one stream at a time, so this is the BFF's own latency, not
 * queueing) and alternate between the two paths, with keep-alive connections on both sides.
 *
 * The figure is the steady state: 1,000 requests per path first, while V8 compiles the hot paths
 * of all three processes (both paths' p50 fall by about a third over them, measured here), then
 * 3,000 measured ones, so a p99 rests on 30 requests rather than 10. The warm-up's own p99 is
 * printed too: a fresh BFF's first requests are slower, and that is worth knowing. A second pass
 * puts the raw byte pipe of the relay benchmark where the BFF was, for the floor: what any relay
 * between browser and agent adds on this machine.
 */
import {
  type Child,
  type CpuUsage,
  type EndpointStats,
  INVOKE_PATH,
  startBff,
  startBytePipe,
  startEndpoint,
} from './support/processes.ts';
import { figure, main, ms, percentile, tooNoisy } from './support/report.ts';
import { type OpenStream, openStream, streamAgent } from './support/sse-client.ts';
import type { StreamScript } from './support/stream-script.ts';

const WARMUP = 1_000;
const SAMPLES = 3_000;

/** Milliseconds from the request being sent to the arrival of its first `name` event. */
function msTo(stream: OpenStream & { errorBody: string }, name: string): number {
  if (stream.status !== 200) throw new Error(`HTTP ${stream.status} ${stream.errorBody}`);
  const event = stream.events.find((e) => e.event === name);
  if (!event) throw new Error(`no ${name} event among ${stream.events.map((e) => e.event).join(', ')}`);
  return Number(event.at - stream.sentAt) / 1e6;
}

/** What one pass measured: each path's times, warm-up and measured apart. */
interface Pass<A> {
  relay: A[];
  direct: number[];
  warmRelay: A[];
  warmDirect: number[];
}

/**
 * `WARMUP + SAMPLES` rounds of one request through the relay and one straight to the endpoint,
 * taking turns at going first so neither always runs on a just-woken machine. `measuring` runs
 * once, when the warm-up is over.
 */
async function alternate<A>(
  viaRelay: (i: number) => Promise<A>,
  direct: (i: number) => Promise<number>,
  measuring: () => Promise<void>,
): Promise<Pass<A>> {
  const pass: Pass<A> = { relay: [], direct: [], warmRelay: [], warmDirect: [] };
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    if (i === WARMUP) await measuring();
    let r: A;
    let d: number;
    if (i % 2 === 0) {
      r = await viaRelay(i);
      d = await direct(i);
    } else {
      d = await direct(i);
      r = await viaRelay(i);
    }
    (i < WARMUP ? pass.warmRelay : pass.relay).push(r);
    (i < WARMUP ? pass.warmDirect : pass.direct).push(d);
  }
  return pass;
}

main(async () => {
  const endpoint = await startEndpoint();
  let bff: Child | undefined;
  let pipe: Child | undefined;
  const agent = streamAgent();
  try {
    const script = (stream: number): StreamScript => ({ stream, tokens: 1, intervalMs: 0 });
    /** The endpoint's own first event, read from `base`: the endpoint itself, or the byte pipe in front of it. */
    const agentStart = async (base: string, i: number) => {
      const s = openStream(base + INVOKE_PATH, { prompt: JSON.stringify(script(i)) }, agent);
      await s.finished;
      return msTo(s, 'AGENT_START');
    };
    const direct = (i: number) => agentStart(endpoint.url, i);

    bff = await startBff(endpoint.url);
    const bffUrl = `${bff.url}/v1/chat/stream`;
    const viaBff = async (i: number) => {
      const s = openStream(bffUrl, { message: JSON.stringify(script(i)), session_id: `ttfe-${i}` }, agent);
      await s.finished;
      return { start: msTo(s, 'start'), first: msTo(s, 'agent_start') };
    };
    let cpuBefore: CpuUsage | undefined;
    const viaBffPass = await alternate(viaBff, direct, async () => {
      cpuBefore = await bff!.ask<CpuUsage>('cpu');
      await endpoint.ask('reset-stats');
    });
    const cpuAfter = await bff.ask<CpuUsage>('cpu');
    const { connections } = await endpoint.ask<EndpointStats>('stats');
    await bff.stop();

    // A second pass, on its own: a third path interleaved with the first two slows them all (the
    // process that served the last request is still busy after it on the same CPUs).
    pipe = await startBytePipe(endpoint.url);
    const pipePass = await alternate(
      (i) => agentStart(pipe!.url, i),
      direct,
      async () => {},
    );

    const first = viaBffPass.relay.map((r) => r.first);
    const line = (name: string, values: number[]) =>
      console.log(`  ${name.padEnd(34)} p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}`);
    const added = (relay: number[], direct: number[], p: number) => ms(percentile(relay, p) - percentile(direct, p));
    console.log(
      `time to first event: ${SAMPLES.toLocaleString('en-US')} sequential requests per path, alternating, after ${WARMUP.toLocaleString('en-US')} of warm-up`,
    );
    line('direct: POST → AGENT_START', viaBffPass.direct);
    line('BFF: POST → agent_start', first);
    line(
      'BFF: POST → start (before upstream)',
      viaBffPass.relay.map((r) => r.start),
    );
    const cpuMs = (cpuAfter.user + cpuAfter.system - cpuBefore!.user - cpuBefore!.system) / 1000 / SAMPLES;
    console.log(
      `  BFF CPU time per request ${ms(cpuMs)}; new upstream TCP connections: BFF ${connections.signed}, direct ${connections.unsigned} (for ${SAMPLES.toLocaleString('en-US')} requests each)`,
    );
    console.log(`  added p50 ${added(first, viaBffPass.direct, 50)}`);
    const warmFirst = viaBffPass.warmRelay.map((r) => r.first);
    console.log(
      `  during the warm-up (a fresh BFF's first ${WARMUP.toLocaleString('en-US')} requests): added p50 ${added(warmFirst, viaBffPass.warmDirect, 50)}, p99 ${added(warmFirst, viaBffPass.warmDirect, 99)}`,
    );
    // The floor for any relay on this machine: the same two extra hops, and nothing done in between.
    console.log(
      `  a raw byte pipe in the BFF's place (a pass of its own) adds p50 ${added(pipePass.relay, pipePass.direct, 50)}, p99 ${added(pipePass.relay, pipePass.direct, 99)}`,
    );
    const directP99 = percentile(viaBffPass.direct, 99);
    figure(
      'ttfe · p99 added by the BFF (agent_start)',
      percentile(first, 99) - directP99,
      { kind: 'max', value: 5 },
      ms,
      tooNoisy('direct call', directP99, 5),
    );
  } finally {
    agent.destroy();
    await Promise.all([bff?.stop(), pipe?.stop(), endpoint.stop()]);
  }
});
