// A server install as an operator makes it: the packed package (`npm pack`) with its lock, installed
// with `npm install --omit=dev`, brings its own Node 24 and none of the development tools, and
// `npx titan start` on a fresh home serves /api/ready from the prebuilt built-ins, compiling none;
// the optional parts (OpenTelemetry SDK, ink, dockerode) and the grammars package stay out, and so do
// the libraries it carries as files (the web UI's, Turndown, the MCP SDK and jco's transpiler
// bundled). Then, as a user would: an MCP server from npm added with `titan mcp add`, a turn whose
// model (scripted) calls its tool, Titan's own /mcp answering the SDK's client, and the web UI
// loading each browser library. And the same package installed with `npm install -g` (under a
// node_modules folder, where Node strips no types, and npm applies no overrides): no jco package and
// no binaryen, and `titan start` on a fresh home transpiles the built-ins it runs with the bundled
// jco, answers a turn that calls a tool, and builds and publishes a new component.
// Slow (real npm installs, from npm's cache when warm): two tests, one package.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startScriptedLlm } from '../agent/api.ts';
import { PROJECT_ROOT } from './support/cli.ts';
import { apiOf, packTitan, run, type Started, startInstalled, stopGroup, turn, waitServing } from './support/installed.ts';
import { browserSkipReason, launchBrowser } from './ui/support.ts';

const work = await mkdtemp(path.join(os.tmpdir(), 'titan-install-'));
const started: Started[] = [];
let tarball: string;
const FILESYSTEM = path.join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const llm = await startScriptedLlm({
  script: {
    name: 'installed',
    turns: [
      {
        match: { lastUserContains: 'shopping' },
        content: [{ type: 'tool_call', name: 'fs__read_text_file', arguments: { path: path.join(work, 'notes', 'shopping.txt') } }],
      },
      { match: { lastMessageContains: 'remember the milk' }, content: [{ type: 'text', text: 'Your list says: remember the milk.' }] },
      { match: { lastUserContains: 'say it back' }, content: [{ type: 'tool_call', name: 'echo', arguments: { text: 'installed globally' } }] },
      { match: { lastMessageContains: 'installed globally' }, content: [{ type: 'text', text: 'The echo said: installed globally.' }] },
    ],
  },
});
const llmEnv = (home: string) => ({ ...process.env, TITAN_HOME: home, TITAN_PORT: '0', TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url });

// prepack builds the built-ins into prebuilt/ (from the tests' shared build cache: same sources, same keys).
before(async () => (tarball = await packTitan(work)), { timeout: 600_000 });

after(async () => {
  for (const titan of started) await stopGroup(titan.child);
  await llm.close();
  await rm(work, { recursive: true, force: true });
});

test('npm install --omit=dev of the packed package runs titan start on its own Node 24, without the dev tools', { timeout: 900_000 }, async () => {
  const app = path.join(work, 'app');
  await mkdir(app);
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', app]);
  await copyFile(path.join(PROJECT_ROOT, 'package-lock.json'), path.join(app, 'package-lock.json'));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });

  const installed = new Set(await readdir(path.join(app, 'node_modules')));
  const tools = new Set(await readdir(path.join(app, 'node_modules', '@bytecodealliance')));
  assert.ok(!tools.has('jco') && !tools.has('componentize-js'), 'the full jco and StarlingMonkey stay out');
  assert.ok(!tools.has('jco-transpile'), "jco's transpiler comes bundled (prebuilt/vendor/jco)");
  for (const dev of ['typescript', '@biomejs', 'dependency-cruiser', 'openai', 'playwright-core', 'esbuild'])
    assert.ok(!installed.has(dev), `${dev} is a dev tool`);
  // What the runtime never uses stays out: binaryen and jco's minifier, the grammars' C sources, date-fns.
  for (const heavy of ['binaryen', 'oxc-minify', 'tree-sitter-typescript', 'tree-sitter-rust', 'date-fns', 'pino-roll'])
    assert.ok(!installed.has(heavy), `${heavy} is not installed`);
  // The optional parts (test/optional-installs.test.ts) stay out, and so does the 23 MB grammars
  // package: the code graph's five grammars come in the package (prebuilt/grammars).
  for (const optional of ['ink', 'react', 'dockerode', 'bare-fs']) assert.ok(!installed.has(optional), `${optional} is not installed`);
  // Carried as files (prebuilt/vendor): the browser libraries, Turndown (without domino), the MCP SDK
  // (without its frameworks and zod).
  for (const carried of ['uplot', 'cytoscape', 'marked', 'dompurify', 'turndown', '@mixmark-io', '@modelcontextprotocol', 'zod', 'express', 'hono'])
    assert.ok(!installed.has(carried), `${carried} is not installed`);
  assert.deepEqual(await readdir(path.join(app, 'node_modules', '@opentelemetry')), ['api'], 'only the tracing API, not the SDK');
  assert.ok(!installed.has('@repomix'), 'the grammars package is a dev dependency');
  assert.equal((await readdir(path.join(app, 'prebuilt', 'grammars'))).filter((name) => name.endsWith('.wasm')).length, 5);
  const { stdout: version } = await run(path.join(app, 'node_modules', '.bin', 'node'), ['--version']);
  assert.match(version, /^v24\./);
  assert.ok(!(await stat(path.join(app, 'test')).catch(() => undefined)), 'the tests are not packed');

  const home = path.join(work, 'home');
  await mkdir(home);
  // A fresh home with no build cache: the first start reads the prebuilt built-ins and compiles none.
  const titan = startInstalled('npx', ['--no-install', 'titan', 'start'], { cwd: app, env: llmEnv(home) });
  started.push(titan);
  const url = await titan.url;
  const ready = await waitServing(titan);
  assert.equal(ready.status, 200, await ready.text());
  assert.match(titan.output(), /building components: \d+ built \(0 compiled, \d+ from cache\)/, titan.output());
  assert.match(titan.output(), /serving \d+ ms after the process started: .*modules from the start bundle/, 'the start loads the packed start bundle');
  const { api, token } = await apiOf(url, home);

  // An MCP server from npm, added to the running Titan (the SDK's client and stdio transport, bundled).
  await mkdir(path.join(work, 'notes'));
  await writeFile(path.join(work, 'notes', 'shopping.txt'), 'remember the milk\n');
  const titanEnv = { ...process.env, TITAN_HOME: home };
  const added = await run(
    'npx',
    ['--no-install', 'titan', 'mcp', 'add', 'fs', '--approval', 'never', '--', process.execPath, FILESYSTEM, path.join(work, 'notes')],
    { cwd: app, env: titanEnv },
  );
  assert.match(added.stdout, /fs: up, \d+ tools: .*fs__read_text_file/);
  // A turn: the model calls the server's tool and answers from its result.
  const messages = await turn(api, 'what is on my shopping list?', 'Your list says');
  assert.deepEqual(
    messages.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
    JSON.stringify(messages),
  );
  assert.match(messages[2].content, /remember the milk/);

  // Titan's own MCP server over Streamable HTTP (the SDK's server and its HTTP transport, bundled).
  const client = new Client({ name: 'install-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  const offered = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(offered.includes('clock'), JSON.stringify(offered));
  await client.close();

  // The web UI loads each browser library from the package's copies, and the Usage page draws its charts.
  if (!browserSkipReason()) {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      await page.goto(`${url}/#token=${encodeURIComponent(token)}`);
      const loaded = await page.evaluate(async () => {
        const names: string[] = [];
        for (const file of ['uplot.js', 'marked.js', 'purify.js', 'cytoscape.js'])
          names.push(`${file}: ${Object.keys(await import(`/ui/vendor/${file}`)).length > 0}`);
        return names;
      });
      assert.deepEqual(loaded, ['uplot.js: true', 'marked.js: true', 'purify.js: true', 'cytoscape.js: true']);
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.getByRole('img', { name: 'Tokens by day' }).locator('canvas').waitFor();
      assert.equal((await fetch(`${url}/ui/vendor/uplot.css`)).status, 200);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  }
});

/** Every package folder under a node_modules, nested ones included, by name. */
async function packagesUnder(modules: string, found = new Set<string>()): Promise<Set<string>> {
  for (const entry of await readdir(modules).catch(() => [] as string[])) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? (await readdir(path.join(modules, entry))).map((inner) => `${entry}/${inner}`) : [entry];
    for (const name of names) {
      found.add(name);
      await packagesUnder(path.join(modules, name, 'node_modules'), found);
    }
  }
  return found;
}

test('npm install -g of the packed package has no jco package and no binaryen, and titan start transpiles, builds and answers', {
  timeout: 900_000,
}, async () => {
  // A global install uses no lock and no overrides: what the package declares is what npm installs.
  const prefix = path.join(work, 'global');
  await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--prefer-offline'], { maxBuffer: 16 * 1024 * 1024 });
  const installed = await packagesUnder(path.join(prefix, 'lib', 'node_modules', 'titan', 'node_modules'));
  for (const absent of [
    'binaryen',
    '@bytecodealliance/jco',
    '@bytecodealliance/jco-transpile',
    'oxc-minify',
    '@bytecodealliance/preview3-shim',
    'typescript',
    'esbuild',
  ])
    assert.ok(!installed.has(absent), `${absent} is not installed`);

  // A fresh home: every built-in it runs is transpiled by the bundled jco (its cache is empty).
  const home = path.join(work, 'global-home');
  await mkdir(home);
  const titanCommand = path.join(prefix, 'bin', 'titan');
  const titan = startInstalled(titanCommand, ['start'], { cwd: work, env: llmEnv(home) });
  started.push(titan);
  const url = await titan.url;
  const ready = await waitServing(titan);
  assert.equal(ready.status, 200, await ready.text());
  // npm wrote every file at install time and resolved the packages without the lock: the bundle still serves.
  assert.match(titan.output(), /serving \d+ ms after the process started: .*modules from the start bundle/, titan.output());
  const { api } = await apiOf(url, home);

  // A turn whose model calls a built-in tool: its instance comes from the bundle's glue.
  const messages = await turn(api, 'say it back to me', 'The echo said');
  assert.deepEqual(
    messages.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
    JSON.stringify(messages),
  );
  assert.match(messages[2].content, /installed globally/);
  assert.ok((await readdir(path.join(home, 'cache', 'transpiled'))).length > 0, 'the built-ins were transpiled in this home');

  // A new component: built (QuickJS), inspected (wasm-tools), linked and smoke-tested by the running kernel.
  const env = { ...process.env, TITAN_HOME: home };
  await mkdir(path.join(work, 'authored'));
  await run(titanCommand, ['new', 'tool', 'greet', '--in', path.join(work, 'authored')], { env });
  const published = await run(titanCommand, ['registry', 'publish', path.join(work, 'authored', 'greet')], { env });
  assert.match(published.stdout, /greet/, published.stdout);
  const listed = await run(titanCommand, ['registry', 'list', '--json'], { env });
  assert.ok(
    (JSON.parse(listed.stdout) as Array<{ name: string }>).some((c) => c.name === 'greet'),
    listed.stdout,
  );
});
