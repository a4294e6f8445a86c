/**
 * `npm run bench:size`: how big the complete widget is for a site that adds the one script tag —
 * `dist/agent-chat.js` (Lit and every feature included) after gzip -9 — against its 30 KB budget
 * and the chat widgets sites pick today. Builds first when the bundle is missing or older than its
 * sources. Exits with 1 over budget, which fails `npm test`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const BUNDLE = 'dist/agent-chat.js';
/** KB here is 1000 bytes, the stricter reading of "30 KB". */
const KB = 1000;
const BUDGET = 30 * KB;
/** gzip -9 sizes of each widget's complete browser bundle, measured when the budget was set. */
const ANCHORS: Array<[string, number]> = [
  ['deep-chat', 110.6 * KB],
  ['flowise-embed', 283.8 * KB],
  ['@n8n/chat', 609 * KB],
];
const SOURCES = ['widget/src', 'protocol', 'vite.config.ts', 'package-lock.json'];

function newestSource(): number {
  let newest = 0;
  for (const source of SOURCES) {
    const files = statSync(source).isDirectory()
      ? readdirSync(source, { recursive: true, encoding: 'utf8' }).map((f) => `${source}/${f}`)
      : [source];
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestSource()) {
  console.log(`${BUNDLE} is missing or older than its sources: building…`);
  await build({ logLevel: 'warn' });
}

const script = readFileSync(BUNDLE);
// zlib at level 9: what `gzip -9` does, to within a fraction of a percent (zlib comes out a little larger).
const gzipped = gzipSync(script, { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

console.log(`\n${BUNDLE}: ${kb(script.length)} minified, ${kb(gzipped)} gzip -9 (${gzipped} bytes)`);
console.log(`budget ${kb(BUDGET)}: ${Math.round((100 * gzipped) / BUDGET)}% used, ${kb(BUDGET - gzipped)} left\n`);
for (const [name, size] of ANCHORS)
  console.log(`  ${name.padEnd(14)} ${kb(size).padStart(9)}   ${(size / gzipped).toFixed(1)}× agent-chat`);
console.log('');

if (gzipped > BUDGET) {
  console.error(`Over budget by ${kb(gzipped - BUDGET)}: ${BUNDLE} must stay at or under ${kb(BUDGET)} gzip -9.`);
  process.exitCode = 1;
}
