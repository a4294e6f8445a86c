/**
 * Runs before `npm start` and `npm test` (npm's pre-scripts), so README's two commands work on a
 * fresh clone with nothing installed by hand: it installs the locked dependencies when they are
 * missing or older than package-lock.json, and with `--browser` makes sure the tests have a Chromium
 * and a redis-server (installing Debian's packages when it can, as CI does). Plain JavaScript: it
 * runs before anything is installed. `npm start` needs neither.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

function run(command, args) {
  console.log(`> ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

// npm writes node_modules/.package-lock.json on every install: older than the lockfile means stale.
const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (process.argv.includes('--browser')) {
  const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  const missing = [];
  if (!existsSync(chrome)) missing.push(['chromium', `Chromium at ${chrome} (or set CHROME_PATH)`]);
  // The tests start their own redis-server (persistence off, a free port) wherever Redis is involved.
  if (spawnSync('redis-server', ['--version']).status !== 0) missing.push(['redis-server', 'redis-server on the PATH']);
  if (missing.length) {
    const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
    if (!canInstall) {
      for (const [name, what] of missing)
        console.error(`The tests need ${what}: install it (Debian/Ubuntu: sudo apt-get install ${name}).`);
      process.exit(1);
    }
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map(([name]) => name)]);
  }
}
