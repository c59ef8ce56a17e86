// A real `titan start` in a child process for the soaks: a fresh home sharing the benchmarks' build
// cache, its database and settings from the environment, the gateway's URL and token once it is up,
// its memory as the kernel reports it (VmRSS and the C heap from /proc, the JS heap and code space from /metrics),
// heap snapshots on demand (SIGUSR2, written to a folder), and a stop that never hangs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_CACHE, tempDir } from './setup.ts';
import { TITAN_ENV, TITAN_FLAGS } from './titan-start.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MB = 2 ** 20;

export type ChildMemory = {
  rssMb: number;
  fileMb: number;
  cpuSeconds: number;
  heapUsedMb: number;
  heapTotalMb: number;
  mallocMb: number;
  externalMb: number;
  codeSpaceMb: number;
  /** The process's threads (the main one, libuv's pool, V8's, and any worker threads alive). */
  threads: number;
  /** Resident anonymous mappings of 256 KB, V8's heap pages (of every isolate, and those V8 keeps after a GC). */
  v8PagesMb: number;
};

export type TitanProcess = {
  child: ChildProcess;
  url: string;
  token: string;
  home: string;
  memory(): Promise<ChildMemory>;
  /** Writes a heap snapshot into the snapshot folder and resolves with its path. */
  heapSnapshot(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
};

type Launched = { child: ChildProcess; output: () => string; url: string; tokenFile: string };

/** One `titan start` on `home`, resolved once its gateway answers. */
async function launch(home: string, env: Record<string, string>, flags: string[]): Promise<Launched> {
  const child = spawn(process.execPath, [...flags, 'bin/titan.js', 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...TITAN_ENV, TITAN_HOME: home, TITAN_PORT: '0', TITAN_LOG_TO: 'file', TITAN_RATE_LIMIT: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [, url = '', tokenFile = ''] = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = setInterval(() => {
      const found = /gateway on (http:\/\/\S+) \(token in (\S+)\)/.exec(output);
      if (found) {
        clearInterval(check);
        resolve(found);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`titan start exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, url, tokenFile };
}

/**
 * Starts `titan start` on a new home; `env` says the database, provider and features. The home is
 * started and stopped once first: a first start deploys the built-ins, and what that leaves in the
 * process (50-100 MB, freed at an unknown moment) would otherwise weigh on the first 1,000 turns'
 * RSS that the soak's target compares with (one run measured 261 MB there, the next 355).
 */
export async function startTitanProcess(env: Record<string, string>, options: { snapshotDir?: string; nodeFlags?: string[] } = {}): Promise<TitanProcess> {
  const home = await tempDir('titan-soak-home-');
  await mkdir(BENCH_CACHE, { recursive: true });
  await symlink(BENCH_CACHE, path.join(home, 'cache'));
  const snapshotDir = options.snapshotDir ?? path.join(home, 'snapshots');
  await mkdir(snapshotDir, { recursive: true });
  // The Node flags and environment of the `titan` command, so the soak measures Titan as users run it.
  const flags = [
    ...TITAN_FLAGS,
    '--disable-warning=ExperimentalWarning',
    '--heapsnapshot-signal=SIGUSR2',
    `--diagnostic-dir=${snapshotDir}`,
    ...(options.nodeFlags ?? []),
  ];
  const first = await launch(home, env, flags);
  const firstExited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGTERM');
  await firstExited;
  const { child, output, url, tokenFile } = await launch(home, env, flags);
  const token = (await readFile(tokenFile, 'utf8')).trim();

  const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const memory = async (): Promise<ChildMemory> => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
    // File-backed pages: the node binary and libraries, and any database pages SQLite maps (mmap_size).
    const fileKb = Number(/^RssFile:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
    const threads = Number(/^Threads:\s+(\d+)$/m.exec(status)?.[1] ?? NaN);
    // CPU time so far, user and system (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms).
    const stat = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    // The C heap (malloc's main arena, where libSQL and Node's own allocations live): the [heap] mapping's resident pages.
    const maps = await readFile(`/proc/${child.pid}/smaps`, 'utf8');
    const mallocKb = Number(/\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(maps)?.[1] ?? 0);
    let v8PagesKb = 0;
    for (const page of maps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0 *\n(?:(?!Rss:).*\n)*?Rss:\s+(\d+) kB/gm))
      if (Number.parseInt(page[2] as string, 16) - Number.parseInt(page[1] as string, 16) === 256 * 1024) v8PagesKb += Number(page[3]);
    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    return {
      rssMb: rssKb / 1024,
      fileMb: fileKb / 1024,
      cpuSeconds,
      heapUsedMb: metric(metrics, 'nodejs_heap_size_used_bytes') / MB,
      heapTotalMb: metric(metrics, 'nodejs_heap_size_total_bytes') / MB,
      mallocMb: mallocKb / 1024,
      externalMb: metric(metrics, 'nodejs_external_memory_bytes') / MB,
      codeSpaceMb: metric(metrics, 'nodejs_heap_space_size_used_bytes\\{space="code"\\}') / MB,
      threads,
      v8PagesMb: v8PagesKb / 1024,
    };
  };

  const heapSnapshot = async (): Promise<string> => {
    const before = new Set(await readdir(snapshotDir));
    child.kill('SIGUSR2');
    // The snapshot is written synchronously by the child; its file appears whole once renamed by V8.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const made = (await readdir(snapshotDir)).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      if (made) {
        await fetch(`${url}/api/ready`).catch(() => undefined); // answers once the child is past the write
        return path.join(snapshotDir, made);
      }
    }
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(home, { recursive: true, force: true });
  };

  return { child, url, token, home, memory, heapSnapshot, output, stop };
}

export type ScriptedProcess = { openai: string; load(script: unknown): Promise<void>; reset(): Promise<void>; stop(): Promise<void> };

/** The scripted model server in a process of its own (`npm run mock-llm`), so the load it serves never starves the client. */
export async function startScriptedProcess(): Promise<ScriptedProcess> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'agent/llm/scripted/main.ts', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const found = /scripted LLM on (http:\/\/\S+),/.exec(output);
      if (found?.[1]) {
        clearInterval(check);
        resolve(found[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`the scripted LLM exited with ${code}:\n${output}`));
    });
  });
  const post = async (route: string, body: unknown) => {
    const response = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
  };
  return {
    openai: `${url}/v1`,
    load: (script) => post('/_titan/script', script),
    // Also clears its timeline, which would otherwise hold every request of the soak.
    reset: () => post('/_titan/reset', {}),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
