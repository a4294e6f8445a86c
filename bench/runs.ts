/**
 * What keeping runs in Redis costs (`npm run bench:runs`), against a real redis-server started for
 * the run (persistence off, like the tests):
 *
 * - Relay overhead: the same 100 concurrent streams as bench/relay.ts, through the BFF with
 *   REDIS_URL set and through the BFF without it (runs kept in its own memory), in rounds that
 *   alternate the two so the machine's drift falls on both. Added latency = p99 with Redis − p99
 *   without; throughput = with ÷ without.
 * - Resume latency: `GET /v1/chat/runs/{id}/events` with `Last-Event-ID` for a finished run, until
 *   the first replayed event arrives — from the BFF that relayed it without Redis (its memory), and
 *   from a second BFF on the same Redis that never saw the run (the many-BFFs path: read from Redis).
 * - Redis memory per buffered token: MEMORY USAGE of the keys of STREAMS finished runs of
 *   UNTHROTTLED.tokens tokens each, divided by their tokens; one token's SSE frame is printed beside it.
 */
import { type Agent, request } from 'node:http';
import { createClient } from '@redis/client';
import { startRedis } from '../test/support/redis-server.ts';
import { type Child, startBff, startEndpoint } from './support/processes.ts';
import { type PhaseResult, type RelayPath, STREAMS, runPhase } from './support/relay-phase.ts';
import { figure, info, main, ms, percentile, perSecond, ratio, tooNoisy } from './support/report.ts';
import { openStream, streamAgent } from './support/sse-client.ts';

const PACED = { tokens: 250, intervalMs: 20 };
const UNTHROTTLED = { tokens: 1_000, intervalMs: 0 };
const ROUNDS = 6;
/** Resumes per store: each of STREAMS finished runs, RESUMES_PER_RUN times, from a random point. */
const RESUMES_PER_RUN = 3;

/** Milliseconds from sending a resume of `runId` after `seq` to its first event's arrival; reads the rest. */
function timeToFirstReplayed(url: string, runId: string, seq: number, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = process.hrtime.bigint();
    let first: number | undefined;
    const req = request(`${url}/v1/chat/runs/${runId}/events`, {
      agent,
      headers: { accept: 'text/event-stream', 'last-event-id': `${runId}:${seq}` },
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`resume of ${runId} after ${seq}: HTTP ${res.statusCode}`));
      let text = '';
      res.on('data', (chunk: Buffer) => {
        if (first === undefined) {
          text += chunk;
          // The first event's id is the one after the resume point: nothing skipped, nothing repeated.
          const id = /^id: (.+)$/m.exec(text);
          if (id) {
            first = Number(process.hrtime.bigint() - sent) / 1e6;
            if (id[1] !== `${runId}:${seq + 1}`) reject(new Error(`resume after ${seq} began with ${id[1]}`));
          }
        }
      });
      res.on('end', () => (first === undefined ? reject(new Error(`resume of ${runId}: no event`)) : resolve(first)));
    });
    req.on('error', reject);
    req.end();
  });
}

interface FinishedRun {
  id: string;
  events: number;
  tokens: number;
}

/** Runs STREAMS unthrottled runs through `bff` and returns their ids, event and token counts. */
async function finishedRuns(bff: Child, agent: Agent, label: string): Promise<FinishedRun[]> {
  const streams = Array.from({ length: STREAMS }, (_, i) =>
    openStream(
      `${bff.url}/v1/chat/stream`,
      { message: JSON.stringify({ stream: i, ...UNTHROTTLED }), session_id: `${label}-${i}` },
      agent,
    ),
  );
  await Promise.all(streams.map((s) => s.finished));
  return streams.map((s) => {
    const start = s.events.find((e) => e.event === 'start');
    if (s.events.at(-1)?.event !== 'done' || !start) throw new Error(`${label}: a run did not complete`);
    return {
      id: (start.data as { run_id: string }).run_id,
      events: s.events.length,
      tokens: s.events.filter((e) => e.event === 'token').length,
    };
  });
}

async function resumeLatencies(reader: Child, runs: FinishedRun[], agent: Agent): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < RESUMES_PER_RUN; i++) {
    for (const run of runs) {
      const seq = Math.floor(Math.random() * (run.events - 1));
      latencies.push(await timeToFirstReplayed(reader.url, run.id, seq, agent));
    }
  }
  return latencies;
}

/** What Redis holds for `runs` (MEMORY USAGE of each run's hash and event stream, every entry counted), in bytes. */
async function memoryOfRuns(url: string, runs: FinishedRun[]): Promise<number> {
  const client = await createClient({ url }).connect();
  try {
    let bytes = 0;
    for (const { id } of runs) {
      for (const key of [`agent-chat:run:{${id}}`, `agent-chat:run:{${id}}:events`]) {
        const usage = await client.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']);
        if (typeof usage !== 'number') throw new Error(`Redis holds no ${key}`);
        bytes += usage;
      }
    }
    return bytes;
  } finally {
    client.destroy();
  }
}

main(async () => {
  const redis = await startRedis();
  const endpoint = await startEndpoint();
  const [plain, withRedis, other] = await Promise.all([
    startBff(endpoint.url),
    startBff(endpoint.url, { REDIS_URL: redis.url }),
    startBff(endpoint.url, { REDIS_URL: redis.url }),
  ]);
  const agent = streamAgent();
  const path = (name: string, relay: Child): RelayPath => ({
    name,
    relay,
    url: `${relay.url}/v1/chat/stream`,
    body: (script, label) => ({ message: JSON.stringify(script), session_id: `${name.replace(/\W/g, '-')}-${label}` }),
    first: 'agent_start',
    token: 'token',
    last: 'done',
  });
  const paths = [path('no Redis', plain), path('Redis', withRedis)];
  try {
    console.log(
      `runs: ${STREAMS} concurrent streams through the BFF with REDIS_URL and without (redis-server ${redis.url}); ` +
        `latency at ${1000 / PACED.intervalMs} tokens/s per stream (${PACED.tokens} each), throughput unthrottled ` +
        `(${UNTHROTTLED.tokens.toLocaleString('en-US')} each); ${ROUNDS} rounds alternating the two, after a warm-up`,
    );
    for (const p of paths) {
      await runPhase(p, endpoint, agent, 'warmup-paced', { tokens: 50, intervalMs: 5 });
      await runPhase(p, endpoint, agent, 'warmup-fast', { tokens: 200, intervalMs: 0 });
    }
    const paced = new Map<RelayPath, PhaseResult[]>(paths.map((p) => [p, []]));
    const fast = new Map<RelayPath, PhaseResult[]>(paths.map((p) => [p, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of round % 2 === 0 ? paths : [...paths].reverse()) {
        paced.get(p)!.push(await runPhase(p, endpoint, agent, `paced-${round}`, PACED));
        fast.get(p)!.push(await runPhase(p, endpoint, agent, `fast-${round}`, UNTHROTTLED));
      }
    }
    const summaries = paths.map((p) => {
      const latencies = paced.get(p)!.flatMap((r) => r.latenciesMs);
      const runs = fast.get(p)!;
      const all = [...paced.get(p)!, ...runs];
      const s = {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        throughput: runs.reduce((n, r) => n + r.tokens, 0) / runs.reduce((n, r) => n + r.seconds, 0),
        cpuPerToken: all.reduce((n, r) => n + r.cpuMicros, 0) / all.reduce((n, r) => n + r.tokens, 0),
      };
      console.log(
        `  ${p.name.padEnd(9)} latency p50 ${ms(s.p50)}  p99 ${ms(s.p99)}   throughput ${perSecond('tokens')(s.throughput)}   ` +
          `BFF CPU ${s.cpuPerToken.toFixed(1)} µs/token`,
      );
      return s;
    });
    const without = summaries[0]!;
    const withR = summaries[1]!;
    const rounds = paths.map((p) => paced.get(p)!.map((r) => percentile(r.latenciesMs, 99)));
    console.log(
      `  p99 added by Redis, round by round: ${rounds[1]!.map((p99, i) => (p99 - rounds[0]![i]!).toFixed(2)).join(', ')} ms`,
    );

    // Resume latency, from memory (the BFF that relayed) and from Redis (another BFF).
    const fromMemory = await resumeLatencies(plain, await finishedRuns(plain, agent, 'resume-memory'), agent);
    const fromRedis = await resumeLatencies(other, await finishedRuns(withRedis, agent, 'resume-redis'), agent);
    for (const [name, l] of [
      ['from memory (same BFF, no Redis)', fromMemory],
      ['from Redis (another BFF)', fromRedis],
    ] as const)
      console.log(
        `  resume ${name.padEnd(33)} GET → first replayed event p50 ${ms(percentile(l, 50))}  p99 ${ms(percentile(l, 99))}  (${l.length} resumes)`,
      );

    // Redis memory per buffered token: what the runs' keys hold once they are done.
    const measured = await finishedRuns(withRedis, agent, 'memory');
    const bytes = await memoryOfRuns(redis.url, measured);
    const tokens = measured.reduce((n, r) => n + r.tokens, 0);
    const frame = `id: ${measured[0]!.id}:12\nevent: token\ndata: ${JSON.stringify({ delta: '0.12.123456789012345 lorem ipsum' })}\n\n`;
    console.log(
      `  Redis holds ${(bytes / 2 ** 20).toFixed(1)} MiB for ${STREAMS} finished runs of ${UNTHROTTLED.tokens} tokens ` +
        `(MEMORY USAGE of their keys); one token's SSE frame is ${Buffer.byteLength(frame)} bytes`,
    );

    figure(
      'runs · p99 added per event by REDIS_URL',
      withR.p99 - without.p99,
      { kind: 'max', value: 1 },
      ms,
      tooNoisy('Redis-less BFF', without.p99, 1),
    );
    figure(
      'runs · throughput with REDIS_URL ÷ without',
      withR.throughput / without.throughput,
      { kind: 'min', value: 0.8 },
      ratio,
    );
    info('runs · resume from memory, first event p99', ms(percentile(fromMemory, 99)));
    info('runs · resume from Redis, first event p99', ms(percentile(fromRedis, 99)));
    info('runs · Redis memory per buffered token', `${(bytes / tokens).toFixed(0)} B`);
  } finally {
    agent.destroy();
    await Promise.all([plain.stop(), withRedis.stop(), other.stop(), endpoint.stop()]);
    await redis.stop();
  }
});
