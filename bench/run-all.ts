/**
 * `npm run bench`: builds the widget, then runs each benchmark in its own process, one after
 * another (they would disturb each other's figures), and ends with a summary of every figure
 * against its target. The widget's size is measured by `npm run bench:size`, the widget's own
 * budget script, when the project has it. Exits non-zero only when a benchmark failed to run or
 * to verify what it measured; a MISS is a figure, reported, not an error.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machineLine } from './support/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Step {
  name: string;
  command: string;
  args: string[];
  /** For a step that prints no PASS/MISS line of its own: its summary line, from its exit code and output. */
  summarize?: (code: number, lines: string[]) => string;
}

const node = (file: string): Pick<Step, 'command' | 'args'> => ({
  command: process.execPath,
  args: ['--import', 'tsx', file],
});

/** Runs a step with its output shown live; returns its exit code and its output lines. */
function run(step: Step): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const child = spawn(step.command, step.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const complete = (pending + chunk.toString()).split('\n');
      pending = complete.pop()!;
      lines.push(...complete);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, lines: [...lines, pending] }));
  });
}

/** `npm run bench:size` exits 1 over its budget and prints the size on its `gzip -9` line. */
function sizeSummary(code: number, lines: string[]): string {
  const figure = lines.find((line) => /gzip -9/.test(line))?.trim() ?? 'see its output above';
  return `${code === 0 ? 'PASS' : 'MISS'}  ${'size · gzip -9 of the single script'.padEnd(44)} ${figure}   target ≤ 30 KB`;
}

const started = performance.now();
console.log(machineLine());
const { scripts } = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
const build = await run({ name: 'build', command: 'npm', args: ['run', '--silent', 'build'] });
if (build.code !== 0) process.exit(build.code);

const steps: Step[] = [
  ...(scripts['bench:size']
    ? [{ name: 'size', command: 'npm', args: ['run', '--silent', 'bench:size'], summarize: sizeSummary }]
    : []),
  { name: 'conformance', ...node('bench/conformance.ts') },
  { name: 'render', ...node('bench/render.ts') },
  { name: 'relay', ...node('bench/relay.ts') },
  { name: 'ttfe', ...node('bench/ttfe.ts') },
  { name: 'memory', ...node('bench/memory.ts') },
  { name: 'slow clients', ...node('bench/slow-clients.ts') },
  { name: 'runs', ...node('bench/runs.ts') },
];
const summary: string[] = [];
const failed: string[] = [];
for (const step of steps) {
  console.log(`\n— ${step.name} —`);
  const { code, lines } = await run(step);
  if (step.summarize) {
    summary.push(step.summarize(code, lines));
  } else {
    summary.push(...lines.filter((line) => /^(PASS|MISS|INFO)\b/.test(line)));
    if (code !== 0) failed.push(step.name);
  }
}

console.log(`\n— summary (${((performance.now() - started) / 60_000).toFixed(1)} min) —`);
console.log(machineLine());
if (!scripts['bench:size'])
  console.log('SKIP  size · gzip -9 of dist/agent-chat.js: `npm run bench:size` is not in package.json');
for (const line of summary) console.log(line);
if (failed.length) console.log(`FAILED to run or verify: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
