/**
 * `npm run bench`: builds the widget, then runs each benchmark in its own process, one after
 * another (they would disturb each other's figures), and ends with a summary of every figure
 * against its target. The widget's size is measured by `npm run bench:size` (the widget's own
 * budget script) when the project has it. Exits non-zero only when a benchmark failed to run or
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
}

const node = (file: string): Pick<Step, 'command' | 'args'> => ({ command: process.execPath, args: ['--import', 'tsx', file] });

/** Runs a step with its output shown live; returns its exit code and its PASS/MISS lines. */
function run(step: Step): Promise<{ code: number; figures: string[] }> {
  return new Promise((resolve) => {
    const figures: string[] = [];
    const child = spawn(step.command, step.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      figures.push(...lines.filter((line) => /^(PASS|MISS)\b/.test(line)));
    });
    child.on('close', (code) => resolve({ code: code ?? 1, figures }));
  });
}

const started = performance.now();
console.log(machineLine());
const { scripts } = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
const build = await run({ name: 'build', command: 'npm', args: ['run', '--silent', 'build'] });
if (build.code !== 0) process.exit(build.code);

const steps: Step[] = [
  ...(scripts['bench:size'] ? [{ name: 'size', command: 'npm', args: ['run', '--silent', 'bench:size'] }] : []),
  { name: 'render', ...node('bench/render.ts') },
  { name: 'relay', ...node('bench/relay.ts') },
  { name: 'ttfe', ...node('bench/ttfe.ts') },
  { name: 'memory', ...node('bench/memory.ts') },
];
const summary: string[] = [];
const failed: string[] = [];
for (const step of steps) {
  console.log(`\n— ${step.name} —`);
  const { code, figures } = await run(step);
  summary.push(...figures);
  if (code !== 0) failed.push(step.name);
}

console.log(`\n— summary (${((performance.now() - started) / 60_000).toFixed(1)} min) —`);
console.log(machineLine());
if (!scripts['bench:size']) console.log('SKIP  size · gzip -9 of dist/agent-chat.js: `npm run bench:size` is not in package.json');
for (const line of summary) console.log(line);
if (failed.length) console.log(`FAILED to run or verify: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
