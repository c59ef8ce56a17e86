// The soak, as users run Titan: a real `titan start` (default settings: memory, goals, profile,
// call recording; reflexes on or off) answering over HTTP from the scripted model server, on libSQL
// and on PostgreSQL. Per run: N sequential turns on one thread, printing the server's RSS, JS heap,
// code space and p50/p99 every 1,000 turns, then 1,000 streaming turns at once (20 chunks 10 ms
// apart, one thread each); and the errors (must be 0). The model server runs in a process of its own. Target: RSS after the last 1,000 within 10%
// of after the first 1,000, and from the lowest window on. TITAN_SOAK_TURNS shortens the run (default 10,000), TITAN_SOAK_EVERY
// prints more often (default every 1,000 turns; the target compares the first and last); TITAN_SOAK_ONLY
// picks runs ("libsql", "postgres", "reflexes", "plain", comma-separated, all must match);
// TITAN_SOAK_NODE_FLAGS adds Node flags to the titan command's (comparing V8 settings);
// TITAN_SOAK_SNAPSHOTS=<dir> writes heap snapshots after the first 1,000 turns and at the end (for
// what grows; writing one leaves about 130 MB in the C heap, so RSS after it is not comparable).
import { createDatabase, startPostgres, type PostgresCluster } from '../test/support/postgres.ts';
import { growthLine, openClawFigures } from './openclaw-figures.ts';
import { printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';
import { startScriptedProcess, startTitanProcess, type ChildMemory, type TitanProcess } from './titan-process.ts';
import os from 'node:os';
import path from 'node:path';

const TURNS = Number(process.env.TITAN_SOAK_TURNS ?? 10_000);
const EVERY = Math.max(1, Math.min(Number(process.env.TITAN_SOAK_EVERY ?? 1_000), TURNS));
const CONCURRENT = Number(process.env.TITAN_SOAK_CONCURRENT ?? 1_000);
const ONLY = (process.env.TITAN_SOAK_ONLY ?? '').split(',').filter(Boolean);
const SNAPSHOTS = process.env.TITAN_SOAK_SNAPSHOTS;
/** Node flags added to the titan command's (comparing V8 settings): TITAN_SOAK_NODE_FLAGS="--flag --other". */
const NODE_FLAGS = (process.env.TITAN_SOAK_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
// SIGTERM or Ctrl-C ends the soak early: the current run stops at its next turn, and the figures so far are reported.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));

type Window = ChildMemory & { turns: number; p50: number; p99: number; errors: number; load1: number; reflexes: string };
type Run = { name: string; concurrent: { wallMs: number; p50: number; p99: number; errors: number; rssMb: number }; windows: Window[]; snapshots: string[] };

const streaming = {
  name: 'soak-stream',
  turns: [{ repeat: true, delayMs: 10, content: [{ type: 'text' as const, text: Array.from({ length: 20 }, (_, i) => `chunk ${i} `) }] }],
};

async function chat(titan: TitanProcess, text: string, thread?: string, stream = false): Promise<{ ms: number; thread?: string; error?: string }> {
  const started = performance.now();
  try {
    const response = await fetch(`${titan.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${titan.token}`, 'content-type': 'application/json', ...(thread ? { 'x-titan-thread': thread } : {}) },
      body: JSON.stringify({ model: 'titan', stream, messages: [{ role: 'user', content: text }] }),
    });
    const body = await response.text();
    const failed = response.status !== 200 || body.includes('"error"');
    return {
      ms: performance.now() - started,
      thread: response.headers.get('x-titan-thread') ?? undefined,
      ...(failed ? { error: `HTTP ${response.status} ${body.slice(0, 300)}` } : {}),
    };
  } catch (error) {
    // fetch's own message is only "fetch failed": the cause says whether connecting, or the answer, failed.
    const cause = (error as { cause?: unknown }).cause;
    return { ms: performance.now() - started, error: cause ? `${String(error)}: ${String(cause)}` : String(error) };
  }
}

/** The server's reflexes and what they answered ("reflex-message-1@1.1.0 serving; 40 answered ..., 2 checked ..., 0 disagreed"): when in the run one was built, and whether it answered right. */
async function reflexStates(titan: TitanProcess): Promise<string> {
  const response = await fetch(`${titan.url}/api/reflexes`, { headers: { authorization: `Bearer ${titan.token}` } }).catch(() => undefined);
  if (!response?.ok) return 'off';
  const { enabled, reflexes, counters } = (await response.json()) as {
    enabled: boolean;
    reflexes: Array<{ name: string; version: string | null; state: string; reason: string | null }>;
    counters?: { modelCallsAvoided: number; checks: number; disagreements: number };
  };
  if (!enabled) return 'off';
  // Why one is not serving (a smoke test past its time limit on a loaded machine is built again after a pause).
  const each = reflexes.map((r) => `${r.name}@${r.version ?? '-'} ${r.state}${r.state !== 'serving' && r.reason ? ` (${r.reason.slice(0, 160)})` : ''}`);
  // The background checks ask the model the same request and compare whole answers: a disagreement is a wrong reflex answer.
  return `${each.join(', ') || 'none'}; ${counters?.modelCallsAvoided ?? 0} answered without the model, ${counters?.checks ?? 0} checked by the model, ${counters?.disagreements ?? 0} disagreed`;
}

async function soak(name: string, env: Record<string, string>): Promise<Run> {
  console.log(
    `\n--- ${name} (load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}) ---`,
  );
  const llm = await startScriptedProcess();
  const snapshotDir = SNAPSHOTS ? path.join(SNAPSHOTS, name.replace(/\W+/g, '-')) : undefined;
  const titan = await startTitanProcess({ ...env, TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.openai }, { snapshotDir, nodeFlags: NODE_FLAGS });
  const errors: string[] = [];
  const snapshots: string[] = [];
  try {
    // 1. Sequential turns on one thread (echo mode: every answer differs, as the requests do).
    await llm.load(null);
    const cpuAtStart = (await titan.memory()).cpuSeconds;
    const windows: Window[] = [];
    let thread: string | undefined;
    let ms: number[] = [];
    let windowErrors = 0;
    for (let i = 1; i <= TURNS && !stopping; i++) {
      const result = await chat(titan, `message ${i}`, thread);
      thread ??= result.thread;
      ms.push(result.ms);
      if (result.error) {
        windowErrors++;
        if (errors.length < 20) errors.push(result.error);
      }
      if (i % EVERY === 0) {
        const times = summarize(ms);
        const window = {
          turns: i,
          ...(await titan.memory()),
          p50: times.p50,
          p99: times.p99,
          errors: windowErrors,
          load1: os.loadavg()[0],
          reflexes: await reflexStates(titan),
        };
        // The server's CPU per turn over the window (load does not change it much, unlike wall time).
        const cpuMsPerTurn = ((window.cpuSeconds - (windows.at(-1)?.cpuSeconds ?? cpuAtStart)) * 1000) / (i - (windows.at(-1)?.turns ?? 0));
        windows.push(window);
        const growth = (((window.rssMb - (windows[0] as Window).rssMb) / (windows[0] as Window).rssMb) * 100).toFixed(1);
        console.log(
          `${i} turns: RSS ${window.rssMb.toFixed(1)} MB (${Number(growth) >= 0 ? '+' : ''}${growth}% against the first ${(windows[0] as Window).turns}; target ≤ +10%; file-backed ${window.fileMb.toFixed(1)} MB), JS heap ${window.heapUsedMb.toFixed(1)} of ${window.heapTotalMb.toFixed(1)} MB, C heap ${window.mallocMb.toFixed(1)} MB, external ${window.externalMb.toFixed(1)} MB, code ${window.codeSpaceMb.toFixed(1)} MB, V8 pages ${window.v8PagesMb.toFixed(1)} MB, ${window.threads} threads, CPU ${cpuMsPerTurn.toFixed(2)} ms a turn, p50 ${times.p50.toFixed(1)} ms, p99 ${times.p99.toFixed(1)} ms, errors ${windowErrors}, load ${window.load1.toFixed(2)}, reflexes: ${window.reflexes}`,
        );
        if (SNAPSHOTS && (i === EVERY || i === TURNS)) snapshots.push(await titan.heapSnapshot());
        ms = [];
        await llm.reset();
        windowErrors = 0;
      }
    }
    // 2. Then streaming turns at once, each on a thread of its own (after the sequential figures, so
    // the burst's high-water mark never hides their growth).
    await llm.load(streaming);
    const started = performance.now();
    const all = await Promise.all(Array.from({ length: stopping ? 0 : CONCURRENT }, (_, i) => chat(titan, `stream ${i}`, undefined, true)));
    const wallMs = performance.now() - started;
    const concurrentErrors = all.filter((r) => r.error);
    errors.push(...concurrentErrors.map((r) => r.error as string));
    const times = summarize(all.map((r) => r.ms));
    const concurrent = { wallMs, p50: times.p50, p99: times.p99, errors: concurrentErrors.length, rssMb: (await titan.memory()).rssMb };
    console.log(
      all.length === 0
        ? 'streaming turns at once: not run (the soak was stopped)'
        : `${CONCURRENT} streaming turns at once: ${(wallMs / 1000).toFixed(1)} s, p50 ${times.p50.toFixed(0)} ms, p99 ${times.p99.toFixed(0)} ms, errors ${concurrent.errors}, RSS ${concurrent.rssMb.toFixed(1)} MB`,
    );

    if (errors.length) console.log(`first errors:\n  ${errors.slice(0, 5).join('\n  ')}`);
    return { name, concurrent, windows, snapshots };
  } finally {
    await titan.stop();
    await llm.stop();
  }
}

printMachine();
const runs: Run[] = [];
const wanted = (tags: string[]) => ONLY.every((t) => tags.includes(t));
for (const reflexes of [false, true]) {
  const tags = ['libsql', reflexes ? 'reflexes' : 'plain'];
  if (wanted(tags) && !stopping)
    runs.push(await soak(`libSQL, reflexes ${reflexes ? 'on' : 'off'}`, { TITAN_REFLEXES: String(reflexes), TITAN_SHADOW_WORKERS: String(reflexes) }));
}
if (wanted(['postgres', 'plain']) || wanted(['postgres', 'reflexes'])) {
  let cluster: PostgresCluster | undefined;
  try {
    cluster = await startPostgres();
    for (const reflexes of [false, true]) {
      if (!wanted(['postgres', reflexes ? 'reflexes' : 'plain']) || stopping) continue;
      const url = await createDatabase(cluster, `soak_${reflexes ? 'reflexes' : 'plain'}`);
      runs.push(
        await soak(`PostgreSQL, reflexes ${reflexes ? 'on' : 'off'}`, {
          TITAN_DB_URL: url,
          TITAN_REFLEXES: String(reflexes),
          TITAN_SHADOW_WORKERS: String(reflexes),
        }),
      );
    }
  } finally {
    await cluster?.stop();
  }
}

const summary: SummaryRow[] = [];
const openClaw = openClawFigures();
for (const run of runs) {
  printTable(
    `${run.name}: ${TURNS} sequential turns over HTTP, one thread (server process; MB, ms)`,
    ['turns', 'RSS', 'JS heap used', 'JS heap total', 'C heap', 'external', 'code space', 'p50', 'p99', 'errors', 'load'],
    run.windows.map((w) => [w.turns, w.rssMb, w.heapUsedMb, w.heapTotalMb, w.mallocMb, w.externalMb, w.codeSpaceMb, w.p50, w.p99, w.errors, w.load1]),
  );
  console.log(`beside ${growthLine(openClaw)}`);
  const errors = run.concurrent.errors + run.windows.reduce((sum, w) => sum + w.errors, 0);
  const first = run.windows[0];
  const last = run.windows.at(-1);
  if (first && last) {
    const growth = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
    // The first window can fall on the start's peak, which flatters the growth after it: the
    // growth from the lowest window on is held to the same target.
    const lowest = run.windows.reduce((low, w) => (w.rssMb < low.rssMb ? w : low), first);
    const fromLowest = ((last.rssMb - lowest.rssMb) / lowest.rssMb) * 100;
    summary.push(
      row(`${run.name}: RSS after ${first.turns} turns`, first.rssMb, 'MB'),
      row(`${run.name}: RSS after ${last.turns} turns`, last.rssMb, 'MB'),
      row(`${run.name}: RSS growth ${first.turns} -> ${last.turns}`, growth, '%', against(growth, '<=', 10, '%')),
      row(`${run.name}: RSS growth from the lowest window (${lowest.turns}) -> ${last.turns}`, fromLowest, '%', against(fromLowest, '<=', 10, '%')),
      row(`${run.name}: sequential turn p50 / p99 (last 1,000)`, last.p50, `ms / ${last.p99.toFixed(1)} ms`),
    );
  }
  summary.push(
    row(`${run.name}: ${CONCURRENT} streaming turns at once, wall`, run.concurrent.wallMs / 1000, 's'),
    row(`${run.name}: errors`, errors, '', against(errors, '<=', 0, '')),
  );
}
await writeResult('soak-http', summary, { turns: TURNS, concurrent: CONCURRENT, runs });
