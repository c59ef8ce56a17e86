// OpenClaw measured on this machine in this run, with the same scripted model and client as Titan's
// start and turn benchmarks: `openclaw gateway run` from spawn to the first 200 of /readyz, its RSS
// (process and children) at ready and 5 s later, then warm turns over its OpenAI-compatible
// /v1/chat/completions in one session. OpenClaw is never a project dependency: it is run from the
// folder TITAN_OPENCLAW_DIR (default /tmp/openclaw when it holds one; install it there with
// `npm install --prefix /tmp/openclaw openclaw@2026.9.6`), with its state, config, home and log in
// a temp folder, bound to loopback. Without it, it says so and writes a result marked not measured,
// and the others fall back to the earlier session's figures (benchmarks/openclaw-figures.ts).
// TITAN_OPENCLAW_TURNS (default 30), TITAN_OPENCLAW_READY_LIMIT_MS (300 s), TITAN_OPENCLAW_TURNS_LIMIT_MS
// (240 s) bound it. Run alone: node --disable-warning=ExperimentalWarning benchmarks/openclaw.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BENCH_RUN_ENV, type OpenClawResult } from './openclaw-figures.ts';
import { startModelServer } from './model-server.ts';
import { descendants, startedAt, treeRssMb } from './process-tree.ts';
import { printMachine, tempDir } from './setup.ts';
import { printTable, row, summarize, writeResult } from './stats.ts';
import { freePort } from '../test/support/free-port.ts';

const DEFAULT_DIR = '/tmp/openclaw';
const TURNS = Number(process.env.TITAN_OPENCLAW_TURNS ?? 30);
const READY_LIMIT_MS = Number(process.env.TITAN_OPENCLAW_READY_LIMIT_MS ?? 300_000);
const TURNS_LIMIT_MS = Number(process.env.TITAN_OPENCLAW_TURNS_LIMIT_MS ?? 240_000);
const WARMUP = 3; // after the first turn, which is timed on its own (OpenClaw prepares the session then)
const SETTLE_MS = 5_000; // as start-ready.ts waits before its idle RSS
const STOP_LIMIT_MS = 30_000;
const TURN_LIMIT_MS = 180_000;

const entryOf = (dir: string) => path.join(dir, 'node_modules', 'openclaw', 'openclaw.mjs');
const dir = process.env.TITAN_OPENCLAW_DIR ?? (existsSync(entryOf(DEFAULT_DIR)) ? DEFAULT_DIR : undefined);

printMachine();
if (!dir || !existsSync(entryOf(dir))) {
  const reason = dir
    ? `${entryOf(dir)} does not exist`
    : `TITAN_OPENCLAW_DIR is unset and ${DEFAULT_DIR} holds no OpenClaw (npm install --prefix ${DEFAULT_DIR} openclaw@2026.9.6)`;
  console.log(`OpenClaw not measured: ${reason}; Titan's benchmarks compare with the earlier session's figures.`);
  await writeResult('openclaw', [], { measured: false, reason } satisfies OpenClawResult);
} else {
  await measure(dir);
}

async function measure(openclawDir: string): Promise<void> {
  const entry = entryOf(openclawDir);
  const version = (JSON.parse(readFileSync(path.join(openclawDir, 'node_modules', 'openclaw', 'package.json'), 'utf8')) as { version: string }).version;
  const model = await startModelServer();
  const scratch = await tempDir('titan-bench-openclaw-');
  const gateway = await startGateway(entry, scratch, model.url);
  const loadAtStart = os.loadavg()[0];
  try {
    const readyMs = await gateway.ready();
    const rssReadyMb = treeRssMb(gateway.pid);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rssIdleMb = treeRssMb(gateway.pid);
    const turns = await timeTurns(gateway.url, gateway.token, model.url);
    const rssAfterTurnsMb = treeRssMb(gateway.pid);
    const turnsSent = turns.warm.length + WARMUP + 1;
    const loadAtEnd = os.loadavg()[0];
    const turn = summarize(turns.warm);
    printTable(
      `OpenClaw ${version} (${openclawDir}), scripted model, same client as Titan's turn bench (load average ${loadAtStart.toFixed(1)} -> ${loadAtEnd.toFixed(1)})`,
      ['', 'value'],
      [
        ['spawn -> /readyz 200 (ms)', readyMs],
        ['RSS at ready, process and children (MB)', rssReadyMb],
        [`RSS ${SETTLE_MS / 1000} s after ready (MB)`, rssIdleMb],
        ['first turn (ms)', turns.firstMs],
        [`warm turn p50 (ms, ${turn.n} turns)`, turn.p50],
        ['warm turn p99 (ms)', turn.p99],
        [`RSS after ${turnsSent} turns (MB)`, rssAfterTurnsMb],
        ['model requests during the warm turns, per turn', turns.modelRequestsPerTurn],
        ['request bodies sent to the model, per warm turn (KB)', turns.modelKbPerTurn],
      ],
    );
    await writeResult(
      'openclaw',
      [
        row(`OpenClaw ${version} spawn to /readyz`, readyMs, 'ms'),
        row(`OpenClaw RSS ${SETTLE_MS / 1000} s after ready`, rssIdleMb, 'MB'),
        row('OpenClaw warm HTTP turn p50', turn.p50, 'ms'),
        row('OpenClaw warm HTTP turn p99', turn.p99, 'ms'),
      ],
      {
        measured: true,
        run: process.env[BENCH_RUN_ENV],
        version,
        loadAverage: [loadAtStart, loadAtEnd],
        readyMs,
        rssReadyMb,
        rssIdleMb,
        rssAfterTurnsMb,
        turnsSent,
        firstTurnMs: turns.firstMs,
        modelRequestsPerTurn: turns.modelRequestsPerTurn,
        modelKbPerTurn: turns.modelKbPerTurn,
        turn,
        turnSamples: turns.warm,
      },
    );
  } catch (error) {
    const reason = (error as Error).message;
    console.log(`OpenClaw not measured: ${reason}\n--- its last output ---\n${gateway.output().slice(-3000)}`);
    await writeResult('openclaw', [], { measured: false, run: process.env[BENCH_RUN_ENV], version, reason } satisfies OpenClawResult);
  } finally {
    await gateway.stop();
    model.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

type Gateway = { pid: number; url: string; token: string; ready(): Promise<number>; output(): string; stop(): Promise<void> };

/** Writes an isolated config (scripted model as an OpenAI-compatible provider) and spawns the gateway. */
async function startGateway(entry: string, scratch: string, modelUrl: string): Promise<Gateway> {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const state = path.join(scratch, 'state');
  await mkdir(path.join(scratch, 'tmp'), { recursive: true });
  await mkdir(state, { recursive: true });
  const configPath = path.join(state, 'openclaw.json');
  await writeFile(configPath, JSON.stringify(config(port, token, modelUrl, path.join(scratch, 'openclaw.log')), null, 2));
  const started = performance.now();
  // Its own process group, so the children it starts (its spawn broker) are stopped with it.
  const child = spawn(process.execPath, [entry, 'gateway', 'run', '--port', String(port), '--bind', 'loopback'], {
    cwd: scratch,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutOpenClawVars(process.env),
      HOME: scratch,
      OPENCLAW_HOME: scratch,
      OPENCLAW_STATE_DIR: state,
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_GATEWAY_TOKEN: token,
      TMPDIR: path.join(scratch, 'tmp'),
      NO_COLOR: '1',
      // The node it finds on PATH must be this Node 24 (it needs >= 24.16), not the machine's older one.
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('OpenClaw did not start (no process id)');
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-65_536));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopGroup = () => signalGroup(child, 'SIGKILL');
  // Self-stopping: whatever ends this process ends OpenClaw too, and a hard deadline ends both.
  process.once('exit', stopGroup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const deadline = setTimeout(
    () => {
      console.log('OpenClaw benchmark over its time limit: stopping');
      process.exit(1);
    },
    READY_LIMIT_MS + SETTLE_MS + TURNS_LIMIT_MS + TURN_LIMIT_MS + STOP_LIMIT_MS,
  );
  deadline.unref();
  const url = `http://127.0.0.1:${port}`;
  return {
    pid,
    url,
    token,
    output: () => output,
    async ready() {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`OpenClaw exited (${child.exitCode ?? child.signalCode}) before it was ready`);
        if (performance.now() - started > READY_LIMIT_MS) throw new Error(`OpenClaw not ready within ${READY_LIMIT_MS / 1000} s`);
        const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return performance.now() - started;
        await new Promise((r) => setTimeout(r, 20)); // 20 ms steps: its start takes tens of seconds
      }
    },
    async stop() {
      // Its helpers, some in process groups of their own (its spawn broker), listed while they still have a parent.
      const helpers = descendants(pid).map((id) => ({ id, started: startedAt(id) }));
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child, 'SIGINT');
        let timer: NodeJS.Timeout | undefined;
        const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), STOP_LIMIT_MS)))]);
        clearTimeout(timer);
        if (!gone) console.log(`OpenClaw still running ${STOP_LIMIT_MS / 1000} s after SIGINT: killed`);
      }
      stopGroup(); // whatever of its group is left (it drains for minutes when asked politely)
      // Those it started and left behind, each only if its id still names the same process.
      for (const helper of helpers) if (helper.started !== undefined && startedAt(helper.id) === helper.started) signalPid(helper.id, 'SIGKILL');
      process.removeListener('exit', stopGroup);
      clearTimeout(deadline);
    },
  };
}

/** The gateway's config: loopback, token auth, the chat completions endpoint on, the scripted model as default. */
function config(port: number, token: string, modelUrl: string, logFile: string): Record<string, unknown> {
  return {
    gateway: { mode: 'local', port, bind: 'loopback', auth: { mode: 'token', token }, http: { endpoints: { chatCompletions: { enabled: true } } } },
    logging: { file: logFile },
    agents: { defaults: { model: { primary: 'scripted/titan-scripted' } } },
    models: {
      mode: 'merge',
      providers: {
        scripted: {
          baseUrl: `${modelUrl}/v1`,
          apiKey: 'scripted',
          api: 'openai-completions',
          models: [
            {
              id: 'titan-scripted',
              name: 'Titan scripted model',
              reasoning: false,
              input: ['text'],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 128_000,
              maxTokens: 4_096,
            },
          ],
        },
      },
    },
  };
}

/** The first turn, then warm turns in one session (the OpenAI `user` field), as turn-parts.ts sends them. */
async function timeTurns(
  url: string,
  token: string,
  modelUrl: string,
): Promise<{ firstMs: number; warm: number[]; modelRequestsPerTurn: number; modelKbPerTurn: number }> {
  const turn = async (i: number): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw', user: 'titan-bench', messages: [{ role: 'user', content: `message ${i}` }] }),
      signal: AbortSignal.timeout(TURN_LIMIT_MS),
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`turn ${i}: HTTP ${response.status} ${body.slice(0, 300)}`);
    // The scripted model echoes: an answer without "echo:" did not come from it.
    if (!body.includes('echo:')) throw new Error(`turn ${i}: not the scripted model's answer: ${body.slice(0, 300)}`);
    return performance.now() - started;
  };
  const firstMs = await turn(0);
  for (let i = 1; i <= WARMUP; i++) await turn(i);
  const warm: number[] = [];
  const before = await modelRequests(modelUrl);
  const started = performance.now();
  for (let i = 0; i < TURNS && performance.now() - started < TURNS_LIMIT_MS; i++) warm.push(await turn(WARMUP + 1 + i));
  if (warm.length < TURNS) console.log(`OpenClaw: ${warm.length} of ${TURNS} warm turns within ${TURNS_LIMIT_MS / 1000} s`);
  const during = (await modelRequests(modelUrl)).slice(before.length);
  const bytes = during.reduce((sum, entry) => sum + JSON.stringify(entry.body).length, 0);
  return { firstMs, warm, modelRequestsPerTurn: during.length / warm.length, modelKbPerTurn: bytes / 1024 / warm.length };
}

/** What the scripted model server has received so far (its timeline), in order. */
async function modelRequests(modelUrl: string): Promise<Array<{ id: number; body: unknown }>> {
  const response = await fetch(`${modelUrl}/_titan/timeline`);
  const { entries } = (await response.json()) as { entries: Array<{ id: number; body: unknown }> };
  return entries.sort((a, b) => a.id - b.id);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) signalPid(-child.pid, signal); // the group this benchmark started, by its id
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function withoutOpenClawVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OPENCLAW_')));
}
