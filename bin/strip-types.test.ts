// A Titan installed under node_modules runs its TypeScript through bin/strip-types.js: its own .ts
// files load in the main thread and in a worker started with common/installed-typescript.ts's
// options, the stripped sources are kept beside Node's compile cache and read from there, and a
// dependency's .ts file is left to Node (which refuses it, as without the hooks).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const work = await mkdtemp(path.join(os.tmpdir(), 'titan-strip-'));
after(() => rm(work, { recursive: true, force: true }));

test("an installed Titan's own TypeScript loads under node_modules, in workers too, stripped once", async () => {
  const titan = path.join(work, 'node_modules', 'titan');
  await mkdir(path.join(titan, 'bin'), { recursive: true });
  await mkdir(path.join(titan, 'node_modules', 'dep'), { recursive: true });
  await copyFile(fileURLToPath(new URL('./strip-types.js', import.meta.url)), path.join(titan, 'bin', 'strip-types.js'));
  await writeFile(path.join(titan, 'package.json'), JSON.stringify({ name: 'titan', type: 'module' }));
  await writeFile(path.join(titan, 'answer.ts'), 'export const answer: number = 42;\n');
  await writeFile(
    path.join(titan, 'worker.ts'),
    "import { parentPort } from 'node:worker_threads';\nconst from: string = 'worker';\nparentPort?.postMessage(from);\n",
  );
  await writeFile(path.join(titan, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', type: 'module' }));
  await writeFile(path.join(titan, 'node_modules', 'dep', 'index.ts'), 'export const dep: number = 1;\n');
  const hooks = pathToFileURL(path.join(titan, 'bin', 'strip-types.js')).href;
  await writeFile(
    path.join(titan, 'main.mjs'),
    `await import('./bin/strip-types.js');
    const { Worker } = await import('node:worker_threads');
    const { answer } = await import('./answer.ts');
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { execArgv: ['--disable-warning=ExperimentalWarning', '--import', ${JSON.stringify(hooks)}] });
    const fromWorker = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    const dep = await import('./node_modules/dep/index.ts').then(() => 'loaded', (error) => error.code);
    console.log(JSON.stringify({ answer, fromWorker, dep }));`,
  );
  const cache = path.join(work, 'compile-cache');
  const env = { ...process.env, NODE_COMPILE_CACHE: cache };
  const first = await run(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(titan, 'main.mjs')], { env });
  assert.deepEqual(JSON.parse(first.stdout), { answer: 42, fromWorker: 'worker', dep: 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING' });
  const kept = await readdir(path.join(cache, 'titan-stripped'));
  assert.equal(kept.length, 2, 'answer.ts and worker.ts, kept once each');
  const texts = await Promise.all(kept.map((name) => readFile(path.join(cache, 'titan-stripped', name), 'utf8')));
  assert.ok(
    texts.some((text) => /export const answer\s+= 42;/.test(text)),
    texts.join('\n'),
  );
  // The next run reads the kept source: one changed there is what runs.
  const answerFile = kept[texts.findIndex((text) => text.includes('answer'))];
  await writeFile(path.join(cache, 'titan-stripped', answerFile), 'export const answer = 43;\n');
  const second = await run(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(titan, 'main.mjs')], { env });
  assert.equal(JSON.parse(second.stdout).answer, 43);
});
