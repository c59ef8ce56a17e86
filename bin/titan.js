#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// The `titan` command. Plain JavaScript so it runs on any Node: on one older than 24 it hands over to
// the Node 24 npm installed beside it (an optional dependency per platform), or says in one line how to get one;
// everything else lives in main.ts.
// --max-semi-space-size=2 (MB; Node's default lets the young generation grow to 16 MB per half):
// a started Titan holds about 20 MB less (idle 177 -> 156 MB) at no measured cost per turn (8.6 vs
// 8.7 ms CPU over 200 HTTP turns). `npm start` and the Docker image pass it the same way.
// --heap-growing-percent=20: V8 otherwise lets the old generation grow to about twice what a major GC
// left before the next one, and RSS keeps that high-water mark: over a 10,000-turn HTTP soak on
// libSQL the JS heap's live part stayed at 40-50 MB while its total peaked near 100 MB, RSS +16.7%
// after the first 1,000 turns; with 20% it stays near 60 MB, RSS +6.9%, CPU per turn unchanged.
// MALLOC_ARENA_MAX=2: glibc otherwise gives each of Node's threads (libuv pool, V8 workers, the
// isolation pool's workers) a malloc arena of its own that keeps freed memory: 14 arenas held 66 MB
// after 1,000 HTTP turns, 2 held 14 MB (RSS 297 -> 259 MB), with turns no slower. Other C libraries ignore it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// When Titan's own code began, so a start reports Node's own start-up (bin/parts.ts) apart from loading Titan.
const cpuAtEntry = process.threadCpuUsage?.();
globalThis[Symbol.for('titan.entered')] = { ms: performance.now(), cpuMs: cpuAtEntry ? (cpuAtEntry.user + cpuAtEntry.system) / 1000 : undefined };

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const node24 = bundledNode();
  if (!node24) {
    console.error(
      `TITAN_E_NODE_VERSION: Titan needs Node 24 or newer (this is ${process.version}), and npm installed no Node 24 beside it (none is packaged for ${process.platform}-${process.arch}, or optional dependencies were omitted).\n  fix: install Node 24 (https://nodejs.org) and run Titan with it, or reinstall without --omit=optional`,
    );
    process.exit(1);
  }
  await handOver(node24);
} else {
  // Node marks its TypeScript stripper experimental; that notice is not for Titan's users.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'ExperimentalWarning') console.error(`${warning.name}: ${warning.message}`);
  });
  // A server started as `node bin/titan.js start` (a process manager, a service file) skips the
  // shebang's environment and flags: glibc then gives each thread a malloc arena that keeps freed
  // memory (about 2.4 MB per terminated worker thread, up to 8 arenas a core). The process becomes
  // itself again with them, in place (same PID, no supervisor left behind).
  if (process.platform === 'linux' && !process.env.MALLOC_ARENA_MAX && process.argv[2] === 'start' && typeof process.execve === 'function') {
    const shebang = process
      .getBuiltinModule('node:fs')
      .readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n', 1)[0]
      .split(/\s+/);
    const given = new Set(process.execArgv.map((flag) => flag.split('=')[0]));
    const flags = shebang.slice(shebang.indexOf('node') + 1).filter((flag) => !given.has(flag.split('=')[0]));
    const env = Object.fromEntries(shebang.filter((word) => /^[A-Z_]+=/.test(word)).map((pair) => pair.split('=', 2)));
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...env });
  }
  // Output piped into `head` and closed early is not an error (clig.dev): stop quietly.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // Node keeps the compiled (and type-stripped) modules between runs: a start loads Titan's ~200
  // files in about half the time.
  const { enableCompileCache } = await import('node:module');
  const { homedir } = await import('node:os');
  const compileCache = enableCompileCache?.(`${process.env.TITAN_HOME || `${homedir()}/.titan`}/cache/node-compile`);
  // Worker threads (the checkpointer, isolated components, reflex builds) and child Node processes
  // see the cache only through the variable: without it each worker start strips its TypeScript
  // again (loading Node's stripper: about 100 ms of CPU beside a start).
  if (compileCache?.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = compileCache.directory;
  // Installed under a node_modules folder (npm install -g), where Node strips no types: Titan's own
  // TypeScript is stripped by module hooks (bin/strip-types.js; its worker threads load them too).
  const installedPath = fileURLToPath(import.meta.url).split(path.sep);
  if (installedPath.includes('node_modules')) await import('./strip-types.js');
  // The start bundle when it matches the source tree (bin/bundle/fresh.ts): ~400 modules become a few.
  const { freshBundle, markRunningBundle } = await import('./bundle/fresh.ts');
  const bundle = freshBundle();
  if (bundle) markRunningBundle(bundle);
  const { main } = await import(bundle ?? './main.ts');
  process.exitCode = await main(process.argv.slice(2));
}

/** The Node 24 npm placed beside Titan: the platform's `node-OS-CPU` package (an optional dependency). */
function bundledNode() {
  const require = createRequire(import.meta.url);
  // Not an ES import: node:fs's ES facade loads Node's file streams, which a start does not need (bin/bundle/fresh.ts).
  const { existsSync } = require('node:fs');
  const os = process.platform === 'win32' ? 'win' : process.platform;
  for (const name of [`node-${os}-${process.arch}`, 'node']) {
    try {
      const manifest = require.resolve(`${name}/package.json`);
      const binary = path.join(path.dirname(manifest), 'bin', os === 'win' ? 'node.exe' : 'node');
      if (existsSync(binary)) return binary;
    } catch {
      // not installed under this name
    }
  }
  return undefined;
}

/** Runs this same command on the given Node and ends with its exit status (or its signal). */
async function handOver(node24) {
  const { spawn } = await import('node:child_process');
  const child = spawn(node24, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches both processes already; signals sent to this one alone are passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!(signal === 'SIGINT' && process.stdin.isTTY)) child.kill(signal);
    });
  }
  child.once('error', (error) => {
    console.error(`TITAN_E_NODE_VERSION: the Node 24 beside Titan (${node24}) cannot run: ${error.message}`);
    process.exit(1);
  });
  const [code, signal] = await new Promise((resolve) => child.once('exit', (...result) => resolve(result)));
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}
