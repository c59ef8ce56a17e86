// `titan code-graph` on a stopped home, as a person at a terminal uses it: the workspace indexed
// (a changed file is the only one parsed again), who calls a function and what it calls, the
// status with a skipped binary file and its reason; a question without a target exits non-zero.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runTitan } from '../support/cli.ts';
import { stoppedHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ home, cleanup } = await stoppedHome('titan-code-graph-cli-'));
  const src = path.join(home, 'workspace', 'src');
  await mkdir(src, { recursive: true });
  await writeFile(
    path.join(src, 'config.ts'),
    'export function loadConfig(file: string) { return parseConfig(file); }\nfunction parseConfig(text: string) { return JSON.parse(text); }\n',
  );
  await writeFile(path.join(src, 'main.ts'), "import { loadConfig } from './config.js';\nexport function main() { return loadConfig('titan.json'); }\n");
  await writeFile(path.join(src, 'logo.js'), Buffer.from([0, 1, 2, 3, 0]));
});
after(() => cleanup());

async function json<T>(args: string[]): Promise<T> {
  const result = await runTitan([...args, '--json'], home);
  assert.equal(result.code, 0, `titan ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

test('titan code-graph index, callers, callees, status; a question without a target is refused', { timeout: 180_000 }, async () => {
  const first = await json<{ files: number; parsed: number; skipped: Array<{ path: string; reason: string }> }>(['code-graph', 'index']);
  assert.equal(first.files, 3);
  assert.equal(first.parsed, 2);
  assert.match(first.skipped.find((s) => s.path === 'src/logo.js')?.reason ?? '', /binary/);

  const callers = await json<{ results: Array<{ qualified: string; path: string; line: number }> }>(['code-graph', 'callers', 'loadConfig']);
  assert.deepEqual(
    callers.results.map((r) => `${r.path}:${r.line} ${r.qualified}`),
    ['src/main.ts:2 main'],
  );
  const callees = await json<{ results: Array<{ qualified: string }> }>(['code-graph', 'callees', 'loadConfig']);
  assert.deepEqual(
    callees.results.map((r) => r.qualified),
    ['parseConfig'],
  );

  await writeFile(path.join(home, 'workspace', 'src', 'main.ts'), 'export function main() { return 1; }\n');
  const second = await json<{ parsed: number; unchanged: number }>(['code-graph', 'index']);
  assert.deepEqual([second.parsed, second.unchanged], [1, 2]);
  assert.deepEqual((await json<{ results: unknown[] }>(['code-graph', 'callers', 'loadConfig'])).results, []);

  const status = await runTitan(['code-graph', 'status'], home);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /3 files \(2 indexed, 0 with syntax errors, 1 skipped\)/);
  assert.match(status.stdout, /src\/logo\.js: binary/);

  const refused = await runTitan(['code-graph', 'callers'], home);
  assert.notEqual(refused.code, 0);
});
