import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** The machine line every benchmark prints first: figures mean little without it. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, ${platform()} ${release()}, Node ${process.version}, load average ${load}`;
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Target {
  /** `max`: the figure must be at most `value`; `min`: at least. */
  kind: 'max' | 'min';
  value: number;
}

/**
 * Prints one figure against its target: `PASS  <name>  <measured>  target ≤ <value>`, or MISS with
 * the reason when the figure missed or its conditions were not met. `npm run bench` collects
 * these lines into its summary. Returns whether it passed.
 */
export function figure(
  name: string,
  measured: number,
  target: Target,
  format: (n: number) => string,
  unmet?: string,
): boolean {
  const met = target.kind === 'max' ? measured <= target.value : measured >= target.value;
  const pass = met && !unmet && Number.isFinite(measured);
  const bound = `target ${target.kind === 'max' ? '≤' : '≥'} ${format(target.value)}`;
  console.log(
    `${pass ? 'PASS' : 'MISS'}  ${name.padEnd(44)} ${format(measured).padStart(14)}   ${bound}${unmet ? `  (${unmet})` : ''}`,
  );
  return pass;
}

/** Prints a figure that has no target, `INFO  <name>  <measured>`, for `npm run bench`'s summary too. */
export function info(name: string, measured: string): void {
  console.log(`INFO  ${name.padEnd(44)} ${measured.padStart(14)}`);
}

/**
 * The reason a latency difference cannot be trusted, if it cannot: when the reference path's own
 * p99 is many times the target, the machine's load decides the difference, which may even come
 * out negative — that must not pass.
 */
export function tooNoisy(referenceName: string, referenceP99: number, targetMs: number): string | undefined {
  return referenceP99 > 5 * targetMs
    ? `too noisy to tell: the ${referenceName}'s own p99 is ${referenceP99.toFixed(1)} ms`
    : undefined;
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const ratio = (n: number) => n.toFixed(2);
export const kb = (n: number) => `${n.toFixed(1)} KB`;
export const perSecond = (unit: string) => (n: number) => `${Math.round(n).toLocaleString('en-US')} ${unit}/s`;

/** Runs a benchmark's main: a thrown error (a dropped event, a child that died) fails the run. */
export function main(run: () => Promise<void>): void {
  console.log(machineLine());
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`ERROR  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
