import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, normalize, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { agUiEvents, invoke, runInput } from '../../agent/test/support/ag-ui.ts';
import { until } from '../../agent/test/support/models.ts';
import { LOCAL_RUNTIME_ARN } from '../../dev/local-runtime.ts';
import { freePort } from '../../dev/support/free-port.ts';
import { parseSse } from '../../protocol/sse.ts';
import { type FakeAgentCore, agUiAnswer, startFakeAgentCore } from '../support/fake-agentcore.ts';
import { ChatStream } from '../support/http-client.ts';

/**
 * What can be checked of agent/Dockerfile and server/Dockerfile without a Docker engine: that each
 * describes a non-root image on a current Node LTS; that its build context holds exactly what it
 * copies and that it copies everything its entry point imports; that the install it runs
 * (`npm ci --omit=dev -w <part>`, from the one root lockfile) makes a production tree with what the
 * part needs and nothing of the other parts; and that its command, run on the image's files laid
 * out from that very install, serves.
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
      return paths.map((source) => ({
        source: source.replace(/\/$/, ''),
        destination: normalize(intoDirectory ? join(target, basename(source)) : target),
      }));
    });
}

/** A Dockerfile's stages by name (the last one, the image, as ''), each with the stages it builds on. */
function stages(dockerfile: Instruction[]): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  const starts = dockerfile.flatMap((i, index) => (i.keyword === 'FROM' ? [index] : []));
  starts.forEach((start, n) => {
    const own = dockerfile.slice(start, starts[n + 1] ?? dockerfile.length);
    const [base, , name = ''] = own[0]!.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
    out.set(n === starts.length - 1 ? '' : name, [...(out.get(base!) ?? []), ...own]);
  });
  return out;
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
    const typeOnly = ts.isImportDeclaration(declaration)
      ? !!declaration.importClause?.isTypeOnly
      : declaration.isTypeOnly;
    if (specifier.startsWith('.')) files.push(resolve(dirname(file), specifier));
    else if (!typeOnly) packages.push(specifier);
  }
  return { files, packages };
}

const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

/** Every file an entry point reaches, and every package it loads at run time. */
function reach(entryFile: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const found = importsOf(file);
    for (const p of found.packages) if (!isBuiltin(p)) packages.add(packageName(p));
    for (const f of found.files) visit(f);
  };
  visit(entryFile);
  return { files, packages };
}

/** The packages installed in a node_modules tree (installed directories, not workspace links), by name. */
function installed(nodeModules: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (entry.startsWith('@')) {
        walk(path);
        continue;
      }
      if (lstatSync(path).isSymbolicLink()) continue;
      const name = relative(nodeModules, path).split('/node_modules/').at(-1)!;
      found.set(name, path);
      walk(join(path, 'node_modules'));
    }
  };
  walk(nodeModules);
  return found;
}

/** Where a context path lands among a stage's copies, if it does. */
function landing(copies: Copy[], contextPath: string): string | undefined {
  for (const { source, destination } of copies) {
    if (contextPath === source || contextPath.startsWith(`${source}/`))
      return join(destination, relative(source, contextPath));
  }
  return undefined;
}

/** The build context a .dockerignore lets through: its `!` lines, less the paths it then excludes again. */
function dockerignore(path: string): { allowed: string[]; excluded: string[] } {
  const lines = read(path)
    .split('\n')
    .filter((line) => line && !line.startsWith('#') && line !== '*');
  return {
    allowed: lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')),
    excluded: lines.filter((l) => !l.startsWith('!')).map((l) => l.replace(/\/$/, '')),
  };
}

/** Runs a stage's `npm ci …` in `dir`, which holds the files the stage copied; only the cache, never the registry, if it can. */
function runInstall(stage: Instruction[], dir: string): void {
  const command = stage.find((i) => i.keyword === 'RUN' && i.args.startsWith('npm ci'))!.args.split(/\s+/);
  execFileSync('npm', [...command.slice(1), '--prefer-offline'], { cwd: dir, stdio: 'pipe' });
}

interface Image {
  name: 'agent' | 'server';
  dockerfile: Instruction[];
  stages: Map<string, Instruction[]>;
  final: Instruction[];
  entry: string[];
  env: Record<string, string>;
}

function image(name: Image['name']): Image {
  const dockerfile = instructions(read(`${name}/Dockerfile`));
  const all = stages(dockerfile);
  const final = all.get('')!;
  return {
    name,
    dockerfile,
    stages: all,
    final,
    entry: JSON.parse(final.find((i) => i.keyword === 'CMD')!.args),
    env: Object.fromEntries(
      final
        .filter((i) => i.keyword === 'ENV')
        .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
    ),
  };
}

/** The static checks both images share. */
function describesAnImage(img: Image, port: string): void {
  it('is on a current Node LTS, as a non-root user, listening where it says', () => {
    const from = img.final.findLast((i) => i.keyword === 'FROM')!.args;
    const major = Number(/node:(\d+)/.exec(from)![1]);
    assert.ok(major >= 24 && major % 2 === 0, `node:${major} is an LTS line (with type stripping on by default)`);
    const user = img.final.findLast((i) => i.keyword === 'USER')?.args;
    assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`);
    assert.ok(
      img.final.findLastIndex((i) => i.keyword === 'USER') > img.final.findLastIndex((i) => i.keyword === 'COPY'),
    );
    assert.ok(img.final.some((i) => i.keyword === 'EXPOSE' && i.args === port));
    assert.equal(img.env.PORT, port);
    assert.equal(img.env.NODE_ENV, 'production');
  });

  it('has a build context of exactly what it copies', () => {
    const sources = new Set(copiesIn(img.dockerfile).map((c) => c.source));
    for (const source of sources) assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
    // A file inside a copied folder (protocol/package.json in protocol/) needs no line of its own.
    const outermost = [...sources].filter((s) => ![...sources].some((other) => s.startsWith(`${other}/`)));
    const { allowed, excluded } = dockerignore(`${img.name}/Dockerfile.dockerignore`);
    assert.deepEqual([...allowed].sort(), outermost.sort());
    assert.deepEqual(excluded, ['protocol/test'], 'tests stay out of the image');
  });
}

/** `npm ci --omit=dev -w <part>` as the deps stage runs it, in a directory laid out as that stage's. */
function installAsTheImageDoes(img: Image): { dir: string; tree: Map<string, string> } {
  const deps = img.stages.get('deps')!;
  const dir = mkdtempSync(join(tmpdir(), `${img.name}-deps-`));
  for (const { source, destination } of copiesIn(deps)) {
    mkdirSync(dirname(join(dir, destination)), { recursive: true });
    cpSync(join(ROOT, source), join(dir, destination), { recursive: true });
  }
  runInstall(deps, dir);
  return { dir, tree: installed(join(dir, 'node_modules')) };
}

describe('agent/Dockerfile', () => {
  const img = image('agent');
  let deps: { dir: string; tree: Map<string, string> };
  before(() => {
    deps = installAsTheImageDoes(img);
  });
  after(() => rmSync(deps.dir, { recursive: true, force: true }));

  describesAnImage(img, '8080');

  it('is a linux/arm64 image whose agent listens on all interfaces (AgentCore reaches it from outside)', () => {
    assert.match(img.final.findLast((i) => i.keyword === 'FROM')!.args, /^--platform=linux\/arm64 node:\d+(-slim)?$/);
    assert.equal(img.env.HOST, '0.0.0.0');
  });

  it('copies every file the entry point imports', () => {
    assert.equal(img.entry[0], 'node');
    const main = join(ROOT, img.entry[1]!);
    for (const file of reach(main).files) {
      const path = relative(ROOT, file);
      assert.ok(existsSync(file), `${path} exists`);
      assert.ok(landing(copiesIn(img.final), path), `${path} is copied into the image`);
    }
  });

  it("installs the agent's production tree: what it imports, at the locked versions, no BFF and nothing of dev/, all plain JavaScript", () => {
    for (const name of reach(join(ROOT, img.entry[1]!)).packages)
      assert.ok(deps.tree.has(name), `${name} is installed`);
    for (const name of [
      'express',
      'cors',
      'helmet',
      'express-rate-limit',
      'lit',
      'vite',
      'esbuild',
      'typescript',
      'tsx',
      '@biomejs/biome',
    ]) {
      assert.ok(!deps.tree.has(name), `${name} is not in the agent's image`);
    }
    const lock = JSON.parse(read('package-lock.json')).packages as Record<
      string,
      { version?: string; hasInstallScript?: boolean; os?: string[]; cpu?: string[] }
    >;
    for (const [name, path] of deps.tree) {
      const entry = lock[relative(deps.dir, path)];
      assert.ok(entry, `${name} is in the lockfile at ${relative(deps.dir, path)}`);
      assert.equal(JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).version, entry.version, name);
      assert.ok(
        !entry.hasInstallScript && !entry.os && !entry.cpu,
        `${name} is plain JavaScript, safe to install on any platform`,
      );
    }
    assert.deepEqual(copiesIn(img.final, 'deps'), [{ source: '/app/node_modules', destination: 'node_modules' }]);
  });

  describe("its command, on the image's files laid out from that install", () => {
    let app: string;
    let child: ChildProcess;
    let url: string;
    let output = '';

    before(async () => {
      app = mkdtempSync(join(tmpdir(), 'agent-image-'));
      for (const { source, destination } of copiesIn(img.final))
        cpSync(join(ROOT, source), join(app, destination), { recursive: true });
      cpSync(join(deps.dir, 'node_modules'), join(app, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      rmSync(join(app, 'protocol/test'), { recursive: true, force: true });
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      // Node ≥ 22.18 runs the .ts entry as the image does; older Node needs tsx (not in the image) to strip the types.
      const stripsTypes = !!(process.features as { typescript?: string }).typescript;
      const tsx = import.meta.resolve('tsx');
      child = spawn(process.execPath, stripsTypes ? img.entry.slice(1) : ['--import', tsx, ...img.entry.slice(1)], {
        cwd: app,
        env: { PATH: process.env.PATH, ...img.env, PORT: String(port), HOST: '127.0.0.1', OFFLINE_TOKEN_DELAY_MS: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      await until(
        async () => {
          if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}):\n${output}`);
          return fetch(`${url}/ping`).then(
            (r) => r.ok,
            () => false,
          );
        },
        'the agent answers /ping',
        30_000,
      );
    });

    after(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(app, { recursive: true, force: true });
    });

    it('answers an invocation on the offline model', async () => {
      const response = await fetch(`${url}/invocations`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-amzn-bedrock-agentcore-runtime-session-id': 'container-session-0123456789abcdef0123456789',
        },
        body: JSON.stringify({ prompt: 'What is 6*7?' }),
      });
      let end: { output?: string } | undefined;
      for await (const m of parseSse(response.body! as unknown as AsyncIterable<Uint8Array>))
        if (m.event === 'AGENT_END') end = JSON.parse(m.data);
      assert.equal(end?.output, 'The result of 6*7 is 42.');
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
});

describe('server/Dockerfile', () => {
  const img = image('server');
  let deps: { dir: string; tree: Map<string, string> };
  before(() => {
    deps = installAsTheImageDoes(img);
  });
  after(() => rmSync(deps.dir, { recursive: true, force: true }));

  describesAnImage(img, '3000');

  it('bundles everything the BFF imports in its build stage, and runs the bundle as npm run start:server does', () => {
    const build = img.stages.get('build')!;
    assert.ok(build.some((i) => i.keyword === 'RUN' && i.args === 'npm run build:server'));
    for (const file of reach(join(ROOT, 'server/src/main.ts')).files) {
      const path = relative(ROOT, file);
      assert.ok(landing(copiesIn(build), path), `${path} is copied into the build stage`);
    }
    const startServer: string = JSON.parse(read('package.json')).scripts['start:server'];
    assert.deepEqual(img.entry, startServer.split(' '));
    assert.deepEqual(copiesIn(img.final, 'build'), [
      { source: '/app/server/dist/main.mjs', destination: 'server/dist/main.mjs' },
    ]);
    assert.deepEqual(copiesIn(img.final, 'deps'), [{ source: '/app/node_modules', destination: 'node_modules' }]);
  });

  it("installs the BFF's production tree: what its bundle loads, and no LangChain, agent, widget or dev tooling", () => {
    for (const name of reach(join(ROOT, 'server/src/main.ts')).packages)
      assert.ok(deps.tree.has(name), `${name} is installed`);
    // @ag-ui/core (and the zod it validates with) checks RunAgentInputs; AG-UI's client, encoder and protobuf stay out.
    assert.ok(deps.tree.has('@ag-ui/core') && deps.tree.has('zod'));
    for (const name of deps.tree.keys()) {
      assert.ok(
        !/^@langchain\/|^@ag-ui\/(?!core$)|^bedrock-agentcore$|^fastify$|^@aws-sdk\/client-bedrock-runtime$|^rxjs$/.test(
          name,
        ),
        `${name} is not in the BFF's image`,
      );
      assert.ok(
        !/^lit$|^@lit\/|^vite$|^esbuild$|^typescript$|^tsx$|^@biomejs\//.test(name),
        `${name} is not in the BFF's image`,
      );
    }
  });

  describe("its command, on the image's files laid out from that install", () => {
    let app: string;
    let child: ChildProcess;
    let url: string;
    let fake: FakeAgentCore;
    let output = '';

    before(async () => {
      app = mkdtempSync(join(tmpdir(), 'bff-image-'));
      cpSync(join(deps.dir, 'node_modules'), join(app, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      // The build stage's bundle, made as it makes it.
      execFileSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, stdio: 'pipe' });
      mkdirSync(join(app, 'server/dist'), { recursive: true });
      cpSync(join(ROOT, 'server/dist/main.mjs'), join(app, 'server/dist/main.mjs'));
      fake = await startFakeAgentCore();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const [, ...args] = img.entry;
      child = spawn(process.execPath, args, {
        cwd: app,
        env: {
          PATH: process.env.PATH,
          ...img.env,
          PORT: String(port),
          AGENT_RUNTIME_ARN: LOCAL_RUNTIME_ARN,
          AGENTCORE_ENDPOINT: fake.url,
          SERVE_DEMO: 'false',
          SESSION_SECRET: 'image-test',
          AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
          AWS_SECRET_ACCESS_KEY: 'image-test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d: Buffer) => (output += d));
      child.stderr!.on('data', (d: Buffer) => (output += d));
      await until(
        async () => {
          if (child.exitCode !== null) throw new Error(`the BFF exited (${child.exitCode}):\n${output}`);
          return fetch(`${url}/health`).then(
            (r) => r.ok,
            () => false,
          );
        },
        'the BFF answers /health',
        30_000,
      );
    });

    after(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await fake.close();
      rmSync(app, { recursive: true, force: true });
    });

    it('relays a chat from AgentCore to the browser', async () => {
      const stream = new ChatStream(url, { message: 'Hi' });
      await stream.finished;
      assert.deepEqual(
        stream.events.map((e) => e.event),
        ['start', 'agent_start', 'token', 'token', 'token', 'token', 'message', 'done'],
      );
      assert.deepEqual(stream.events.at(-1)!.data, { status: 'complete' });
    });

    it('checks a RunAgentInput with @ag-ui/core from its own tree, and relays the AG-UI stream', async () => {
      const post = (body: unknown) =>
        fetch(`${url}/v1/agui`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const refused = await post({ threadId: 't', messages: [] });
      assert.equal(refused.status, 400);
      assert.match((await refused.json()).error.message, /not a valid AG-UI RunAgentInput: runId/);
      fake.next(
        agUiAnswer((call) => {
          const { threadId, runId } = call.payload as { threadId: string; runId: string };
          return [
            { type: 'RUN_STARTED', threadId, runId },
            { type: 'RUN_FINISHED', threadId, runId },
          ];
        }),
      );
      const answer = await post({ threadId: 't', runId: 'r', messages: [{ id: 'm', role: 'user', content: 'Hi' }] });
      const types = [...(await answer.text()).matchAll(/^data: (.*)$/gm)].map(([, data]) => JSON.parse(data!).type);
      assert.deepEqual(types, ['RUN_STARTED', 'RUN_FINISHED']);
    });
  });
});
