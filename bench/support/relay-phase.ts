/**
 * One phase of a relay benchmark, shared by bench/relay.ts (BFF against a raw byte pipe) and
 * bench/runs.ts (the BFF with REDIS_URL against the BFF without): STREAMS streams of one shape
 * through one path, every token checked, with the latency of each and the throughput of all.
 */
import type { Agent } from 'node:http';
import type { Child, CpuUsage, EndpointStats } from './processes.ts';
import { type OpenStream, type ReceivedEvent, openStream } from './sse-client.ts';
import { type StreamScript, readStamp } from './stream-script.ts';

export const STREAMS = 100;
/** How long streams wait for all of them to be open upstream before they start anyway. */
const OPEN_DEADLINE_MS = 10_000;

export interface RelayPath {
  name: string;
  relay: Child;
  url: string;
  body(script: StreamScript, label: string): unknown;
  /** The event names a complete stream must show: first, token, last. */
  first: string;
  token: string;
  last: string;
}

export interface PhaseResult {
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
export async function runPhase(
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
