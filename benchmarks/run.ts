// `npm run bench`: runs each kernel benchmark in its own process (so one's JIT state, heap and RSS
// never colour another's), then prints one summary table from benchmarks/results/*.json.
// Targets are printed beside the figures; a missed target never fails the run, a crash does.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_RUN_ENV } from './openclaw-figures.ts';
import { printMachine } from './setup.ts';
import { TITAN_ENV, TITAN_FLAGS } from './titan-start.ts';
import { RESULTS_DIR, metCell, printTable, type SummaryRow } from './stats.ts';

const BENCHMARKS = [
  'kernel-calls',
  'instances',
  'instance-churn',
  'install-size',
  'first-start',
  'swap-under-load',
  'swap-rss',
  'store-backends',
  'memory',
  'agent-turns',
  'openclaw', // before turn-parts and start-ready, which compare with what it measured in this run
  'turn-parts',
  'turn-wal',
  'start-ready',
  'first-turn',
  'shell-first-byte',
  'provider-decode',
  'gateway-ws',
  'mesh',
  'reflex',
  'reflex-restart',
  'mcp',
  'autonomy',
  'swarm',
  'routines',
  'attacks',
  'world-access',
  'jobs',
  'code-graph',
  'soak',
  'soak-http',
  'self-optimise',
  'cli',
];

printMachine();
// Marks results written in this run, so a benchmark never compares with a figure left from another.
process.env[BENCH_RUN_ENV] = new Date().toISOString();
const failed: string[] = [];
for (const name of BENCHMARKS) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  // With the Node flags and environment the titan command sets (2 MB semi-spaces, MALLOC_ARENA_MAX), so
  // in-process figures are Titan's as it runs: with Node's default the young generation alone grew to
  // 44 MB in the in-process soak, a step of RSS that Titan never takes.
  const child = spawnSync(process.execPath, [...TITAN_FLAGS, ...process.execArgv, file], { stdio: 'inherit', env: { ...process.env, ...TITAN_ENV } });
  if (child.status !== 0) failed.push(name);
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s${child.status === 0 ? '' : `, exit ${child.status ?? child.signal}`})`);
}

const rows: Array<Array<string | number>> = [];
for (const name of BENCHMARKS) {
  if (failed.includes(name)) {
    rows.push([name, 'FAILED (see its output above)', '', '', '', '']);
    continue;
  }
  const result = JSON.parse(await readFile(path.join(RESULTS_DIR, `${name}.json`), 'utf8')) as { summary: SummaryRow[] };
  for (const r of result.summary) rows.push([name, r.metric, r.value, r.unit, r.target ?? '', metCell(r.met)]);
}
printTable('summary (all figures from this run)', ['benchmark', 'metric', 'value', 'unit', 'target', ''], rows);
if (failed.length) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
