// A server install as an operator makes it: the packed package (`npm pack`) with its lock, installed
// with `npm install --omit=dev`, brings its own Node 24 and none of the development tools, and
// `npx titan start` on a fresh home serves /api/ready from the prebuilt built-ins, compiling none;
// the optional parts (OpenTelemetry SDK, ink, dockerode) and the grammars package stay out.
// Slow (a real npm install from the registry): one test.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './support/cli.ts';
import { TEST_CACHE } from './support/kernel.ts';

const run = promisify(execFile);
const work = await mkdtemp(path.join(os.tmpdir(), 'titan-install-'));
let titan: ChildProcess | undefined;

after(async () => {
  if (titan) await stopGroup(titan);
  await rm(work, { recursive: true, force: true });
});

const alive = (group: number) => {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * npx runs titan as a child of its own and does not pass a stop on: the whole process group is
 * stopped (SIGKILL after 15 s), or titan outlives the test and holds its output pipes, and the run, open.
 */
async function stopGroup(child: ChildProcess): Promise<void> {
  const group = -(child.pid as number);
  const signal = (name: NodeJS.Signals) => alive(group) && process.kill(group, name);
  signal('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(group) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  signal('SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** What `titan start` printed so far. */
let output = '';

/** `npx titan start` in the install, resolved with the gateway's address once it is up. */
function startInstalled(app: string, home: string): Promise<string> {
  titan = spawn('npx', ['--no-install', 'titan', 'start'], {
    cwd: app,
    env: { ...process.env, TITAN_HOME: home, TITAN_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopGroup reaches titan under npx
  });
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) resolve(url);
    };
    titan?.stdout?.on('data', read);
    titan?.stderr?.on('data', read);
    titan?.once('exit', (code) => reject(new Error(`titan start exited with ${code}:\n${output}`)));
  });
}

test('npm install --omit=dev of the packed package runs titan start on its own Node 24, without the dev tools', { timeout: 900_000 }, async () => {
  // prepack builds the built-ins into prebuilt/ (from the tests' shared build cache: same sources, same keys).
  const packEnv = { ...process.env, TITAN_PREBUILD_CACHE: TEST_CACHE };
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PROJECT_ROOT, env: packEnv, maxBuffer: 16 * 1024 * 1024 });
  const app = path.join(work, 'app');
  await mkdir(app);
  await run('tar', ['-xzf', path.join(work, stdout.trim()), '--strip-components=1', '-C', app]);
  await copyFile(path.join(PROJECT_ROOT, 'package-lock.json'), path.join(app, 'package-lock.json'));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });

  const installed = new Set(await readdir(path.join(app, 'node_modules')));
  const tools = new Set(await readdir(path.join(app, 'node_modules', '@bytecodealliance')));
  assert.ok(!tools.has('jco') && !tools.has('componentize-js'), 'the full jco and StarlingMonkey stay out');
  assert.ok(tools.has('jco-transpile'));
  for (const dev of ['typescript', '@biomejs', 'dependency-cruiser', 'openai', 'playwright-core', 'esbuild'])
    assert.ok(!installed.has(dev), `${dev} is a dev tool`);
  // What the runtime never uses stays out: binaryen (an empty stand-in), the grammars' C sources, date-fns.
  const binaryen = JSON.parse(await readFile(path.join(app, 'node_modules', 'binaryen', 'package.json'), 'utf8')) as { version: string };
  assert.equal(binaryen.version, '0.0.0-absent');
  for (const heavy of ['tree-sitter-typescript', 'tree-sitter-rust', 'date-fns', 'pino-roll']) assert.ok(!installed.has(heavy), `${heavy} is not installed`);
  // The optional parts (test/optional-installs.test.ts) stay out, and so does the 23 MB grammars
  // package: the code graph's five grammars come in the package (prebuilt/grammars).
  for (const optional of ['ink', 'react', 'dockerode', 'bare-fs']) assert.ok(!installed.has(optional), `${optional} is not installed`);
  assert.deepEqual(await readdir(path.join(app, 'node_modules', '@opentelemetry')), ['api'], 'only the tracing API, not the SDK');
  assert.ok(!installed.has('@repomix'), 'the grammars package is a dev dependency');
  assert.equal((await readdir(path.join(app, 'prebuilt', 'grammars'))).filter((name) => name.endsWith('.wasm')).length, 5);
  const { stdout: version } = await run(path.join(app, 'node_modules', '.bin', 'node'), ['--version']);
  assert.match(version, /^v24\./);
  assert.ok(!(await stat(path.join(app, 'test')).catch(() => undefined)), 'the tests are not packed');

  const home = path.join(work, 'home');
  await mkdir(home);
  // A fresh home with no build cache: the first start reads the prebuilt built-ins and compiles none.
  const url = await startInstalled(app, home);
  // The gateway answers while start-up finishes: ready once every built-in serves.
  let ready = await fetch(`${url}/api/ready`);
  for (const deadline = Date.now() + 120_000; ready.status !== 200 && Date.now() < deadline; ready = await fetch(`${url}/api/ready`)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(ready.status, 200, await ready.text());
  assert.match(output, /building components: \d+ built \(0 compiled, \d+ from cache\)/, output);
});
