import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, normalize, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { freePort } from '../../dev/support/free-port.ts';
import { parseSse } from '../../protocol/sse.ts';
import { agUiEvents, invoke, runInput } from './support/ag-ui.ts';
import { until } from './support/models.ts';

/**
 * What can be checked of agent/Dockerfile without a Docker engine: that it describes an arm64,
 * non-root image listening on 8080; that the files it copies are everything the entry point
 * imports; that the dependencies it installs are exactly the agent's, at the tested versions;
 * and that its entry command, run on a copy of the image's files, serves the agent.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

const dockerfile = instructions(read('agent/Dockerfile'));
const finalStage = dockerfile.slice(dockerfile.findLastIndex((i) => i.keyword === 'FROM'));

interface Copy {
  source: string;
  /** The path it lands on, relative to WORKDIR. */
  destination: string;
}

/** A stage's COPY instructions: from the build context, or (`from`) from another stage. */
function copiesIn(stage: Instruction[], from?: string): Copy[] {
  return stage
    .filter((i) => i.keyword === 'COPY' && (from ? i.args.startsWith(`--from=${from} `) : !i.args.includes('--from')))
    .flatMap((i) => {
      const paths = i.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      const target = paths.pop()!;
      const intoDirectory = paths.length > 1 || target.endsWith('/');
      return paths.map((source) => ({ source, destination: intoDirectory ? join(target, basename(source)) : normalize(target) }));
    });
}

/** Everything taken from the build context, by any stage. */
const contextSources = copiesIn(dockerfile).map((c) => c.source.replace(/\/$/, ''));
/** The final image's own files from the context (the rest comes from the deps stage). */
const imageCopies = copiesIn(finalStage);
const entry: string[] = JSON.parse(finalStage.find((i) => i.keyword === 'CMD')!.args);
/** The final image's ENV settings (KEY=value pairs, no quoting). */
const imageEnv: Record<string, string> = Object.fromEntries(
  finalStage.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
);

/** Where a context file lands in the final image, if it does. */
function inImage(contextPath: string): string | undefined {
  for (const { source, destination } of imageCopies) {
    const from = source.replace(/\/$/, '');
    if (contextPath === from || contextPath.startsWith(`${from}/`)) return join(destination, relative(from, contextPath));
  }
  return undefined;
}

/** The specifiers a module imports: relative files (type-only ones too) and packages (run time only). */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const files: string[] = [];
  const packages: string[] = [];
  for (const statement of source.statements) {
    const declaration = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement : undefined;
    if (!declaration?.moduleSpecifier || !ts.isStringLiteral(declaration.moduleSpecifier)) continue;
    const specifier = declaration.moduleSpecifier.text;
    const typeOnly = ts.isImportDeclaration(declaration) ? !!declaration.importClause?.isTypeOnly : declaration.isTypeOnly;
    if (specifier.startsWith('.')) files.push(resolve(dirname(file), specifier));
    else if (!typeOnly) packages.push(specifier);
  }
  return { files, packages };
}

/** Every file the entry point reaches, and every package it loads at run time. */
function reach(entryFile: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const found = importsOf(file);
    for (const p of found.packages) packages.add(p);
    for (const f of found.files) visit(f);
  };
  visit(entryFile);
  return { files, packages };
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('agent/Dockerfile', () => {
  it('builds a linux/arm64 image on a current Node LTS that runs TypeScript itself', () => {
    const [from] = finalStage;
    assert.match(from!.args, /^--platform=linux\/arm64 node:(\d+)(-slim)?$/);
    const major = Number(/node:(\d+)/.exec(from!.args)![1]);
    assert.ok(major >= 24 && major % 2 === 0, `node:${major} is an LTS line with type stripping on by default`);
  });

  it('runs as a non-root user and listens on 8080', () => {
    const user = finalStage.find((i) => i.keyword === 'USER')?.args;
    assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`);
    assert.ok(finalStage.findIndex((i) => i.keyword === 'USER') > finalStage.findLastIndex((i) => i.keyword === 'COPY'));
    assert.ok(finalStage.some((i) => i.keyword === 'EXPOSE' && i.args === '8080'));
    assert.equal(imageEnv.PORT, '8080');
    assert.equal(imageEnv.HOST, '0.0.0.0', 'AgentCore reaches it from outside the container (the agent\'s own default is loopback)');
  });

  it('copies every file the entry point imports, and its build context holds just those files', () => {
    assert.deepEqual(entry.slice(0, 1), ['node']);
    const main = join(ROOT, entry[1]!);
    assert.ok(existsSync(main), `${entry[1]} exists`);
    for (const file of reach(main).files) {
      const path = relative(ROOT, file);
      assert.ok(existsSync(file), `${path} exists`);
      assert.ok(inImage(path), `${path} is copied into the image`);
    }
    for (const source of contextSources) assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
    // The .dockerignore lets through exactly what the COPY lines take.
    const allowed = read('agent/Dockerfile.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    assert.deepEqual(allowed.sort(), [...contextSources].sort());
  });

  it("installs exactly the agent's runtime dependencies, at the versions the tests use", async () => {
    const agent = JSON.parse(read('agent/package.json'));
    const root = JSON.parse(read('package.json'));
    const used = [...reach(join(ROOT, entry[1]!)).packages].filter((s) => !isBuiltin(s)).map(packageName);
    assert.deepEqual(Object.keys(agent.dependencies).sort(), [...new Set(used)].sort(), 'agent/package.json lists what the agent imports, no more');
    for (const [name, version] of Object.entries(agent.dependencies)) assert.equal(version, root.dependencies[name], `${name} as in package.json`);
    assert.equal(agent.type, 'module');
    assert.equal(agent.devDependencies, undefined);
    // The deps stage installs from agent/package.json and its lockfile; the image takes the result.
    assert.deepEqual(copiesIn(dockerfile.slice(0, dockerfile.findLastIndex((i) => i.keyword === 'FROM'))).map((c) => c.source), ['agent/package.json', 'agent/package-lock.json']);
    assert.deepEqual(copiesIn(finalStage, 'deps'), [
      { source: '/app/package.json', destination: 'package.json' },
      { source: '/app/node_modules', destination: 'node_modules' },
    ]);
  });

  it('locks the same versions as the root lockfile, all plain JavaScript (safe to install on any platform)', () => {
    const agentLock = JSON.parse(read('agent/package-lock.json')).packages as Record<string, { version?: string; hasInstallScript?: boolean; os?: string[]; cpu?: string[] }>;
    const rootLock = JSON.parse(read('package-lock.json')).packages as Record<string, { version?: string }>;
    const regenerate = 'regenerate: cp package-lock.json agent/ && (cd agent && npm install --package-lock-only --ignore-scripts)';
    assert.deepEqual(agentLock['']!, { ...agentLock['']!, dependencies: JSON.parse(read('agent/package.json')).dependencies }, regenerate);
    for (const [path, entry] of Object.entries(agentLock)) {
      if (!path) continue;
      assert.equal(entry.version, rootLock[path]?.version, `${path}: ${regenerate}`);
      assert.ok(!entry.hasInstallScript && !entry.os && !entry.cpu, `${path} is plain JavaScript`);
    }
  });
});

describe("the image's entry command, on a copy of the image's files", () => {
  let app: string;
  let child: ChildProcess;
  let url: string;
  let output = '';

  before(async () => {
    // /app as the Dockerfile lays it out: package.json (from the deps stage), then the final stage's
    // copies; node_modules is the repository's (a superset of the image's, checked above).
    app = await mkdtemp(join(tmpdir(), 'agent-image-'));
    await writeFile(join(app, 'package.json'), await readFile(join(ROOT, 'agent/package.json')));
    for (const { source, destination } of imageCopies) await cp(join(ROOT, source), join(app, destination), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'));

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Node ≥ 22.18 runs the .ts entry as the image does; older Node needs tsx to strip the types.
    const stripsTypes = !!(process.features as { typescript?: string }).typescript;
    const [command, ...args] = entry;
    child = spawn(command === 'node' ? process.execPath : command!, stripsTypes ? args : ['--import', 'tsx', ...args], {
      cwd: app,
      env: { PATH: process.env.PATH, ...imageEnv, PORT: String(port), OFFLINE_TOKEN_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(app, { recursive: true, force: true });
  });

  it('serves /ping and answers an invocation on the offline model', async () => {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}):\n${output}`);
        return fetch(`${url}/ping`).then((r) => r.ok, () => false);
      },
      'the agent answers /ping',
      30_000,
    );
    const response = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-amzn-bedrock-agentcore-runtime-session-id': 'container-session-0123456789abcdef0123456789',
      },
      body: JSON.stringify({ prompt: 'What is 6*7?' }),
    });
    let end: unknown;
    for await (const m of parseSse(response.body! as unknown as AsyncIterable<Uint8Array>)) if (m.event === 'AGENT_END') end = JSON.parse(m.data);
    assert.deepEqual(end, { timestamp: (end as { timestamp: string }).timestamp, output: 'The result of 6*7 is 42.' });
  });

  it('answers an AG-UI RunAgentInput with AG-UI events (serverProtocol AGUI)', async () => {
    const response = await invoke(url, runInput('What is 6*7?'));
    const types: string[] = [];
    for await (const e of agUiEvents(response)) types.push(e.type);
    assert.equal(types[0], 'RUN_STARTED');
    assert.ok(types.includes('TOOL_CALL_RESULT') && types.includes('TEXT_MESSAGE_END'));
    assert.equal(types.at(-1), 'RUN_FINISHED');
  });
});
