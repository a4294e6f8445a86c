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
 * printed too: a fresh BFF's first requests are slower, and that is worth knowing.
 */
import { type Child, type CpuUsage, type EndpointStats, INVOKE_PATH, startBff, startEndpoint } from './support/processes.ts';
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

main(async () => {
  const endpoint = await startEndpoint();
  let bff: Child | undefined;
  const agent = streamAgent();
  try {
    bff = await startBff(endpoint.url);
    const bffUrl = `${bff.url}/v1/chat/stream`;
    const script = (stream: number): StreamScript => ({ stream, tokens: 1, intervalMs: 0 });
    const viaBff = async (i: number) => {
      const s = openStream(bffUrl, { message: JSON.stringify(script(i)), session_id: `ttfe-${i}` }, agent);
      await s.finished;
      return { start: msTo(s, 'start'), first: msTo(s, 'agent_start') };
    };
    const direct = async (i: number) => {
      const s = openStream(endpoint.url + INVOKE_PATH, { prompt: JSON.stringify(script(i)) }, agent);
      await s.finished;
      return msTo(s, 'AGENT_START');
    };

    const start: number[] = [];
    const first: number[] = [];
    const directFirst: number[] = [];
    const warmFirst: number[] = [];
    const warmDirect: number[] = [];
    let cpuBefore: CpuUsage | undefined;
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      if (i === WARMUP) {
        cpuBefore = await bff.ask<CpuUsage>('cpu');
        await endpoint.ask('reset-stats');
      }
      // Alternate which path goes first, so neither always runs on a just-woken machine.
      let b: Awaited<ReturnType<typeof viaBff>>;
      let d: number;
      if (i % 2 === 0) {
        b = await viaBff(i);
        d = await direct(i);
      } else {
        d = await direct(i);
        b = await viaBff(i);
      }
      if (i < WARMUP) {
        warmFirst.push(b.first);
        warmDirect.push(d);
        continue;
      }
      start.push(b.start);
      first.push(b.first);
      directFirst.push(d);
    }
    const line = (name: string, values: number[]) => console.log(`  ${name.padEnd(34)} p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}`);
    console.log(`time to first event: ${SAMPLES.toLocaleString('en-US')} sequential requests per path, alternating, after ${WARMUP.toLocaleString('en-US')} of warm-up`);
    line('direct: POST → AGENT_START', directFirst);
    line('BFF: POST → agent_start', first);
    line('BFF: POST → start (before upstream)', start);
    const cpuAfter = await bff.ask<CpuUsage>('cpu');
    const { connections } = await endpoint.ask<EndpointStats>('stats');
    const cpuMs = (cpuAfter.user + cpuAfter.system - cpuBefore!.user - cpuBefore!.system) / 1000 / SAMPLES;
    console.log(`  BFF CPU time per request ${ms(cpuMs)}; new upstream TCP connections: BFF ${connections.signed}, direct ${connections.unsigned} (for ${SAMPLES.toLocaleString('en-US')} requests each)`);
    console.log(`  added p50 ${ms(percentile(first, 50) - percentile(directFirst, 50))}`);
    const warm = (p: number) => ms(percentile(warmFirst, p) - percentile(warmDirect, p));
    console.log(`  during the warm-up (a fresh BFF's first ${WARMUP.toLocaleString('en-US')} requests): added p50 ${warm(50)}, p99 ${warm(99)}`);
    const directP99 = percentile(directFirst, 99);
    figure('ttfe · p99 added by the BFF (agent_start)', percentile(first, 99) - directP99, { kind: 'max', value: 5 }, ms, tooNoisy('direct call', directP99, 5));
  } finally {
    agent.destroy();
    await Promise.all([bff?.stop(), endpoint.stop()]);
  }
});
