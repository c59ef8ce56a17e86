// A neighbour's latency while a component attacks the kernel: the built-in echo is called over
// and over while a published third-party tool spins, allocates, recurses, answers 200 MB, or
// floods the log or the event bus, once in a worker (the default) and once inline by grant.
// Also the per-call cost of isolation: echo inline against the same binary in a worker.
// Run alone: node benchmarks/attacks.ts
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BUILTIN_ROOT, publishComponent, type Kernel } from '../kernel/api.ts';
import { buildComponent } from '../toolchain/build.ts';
import { openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type Summary, type SummaryRow } from './stats.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/components/', import.meta.url));
const ATTACKS = ['attack-loop', 'attack-memory', 'attack-recursion', 'attack-result', 'attack-logs', 'attack-events'];
const TARGET_P99_MS = 50;
const CALLS = 20_000;

/**
 * What a neighbour request waits (ms) while `attack` runs: echo is called, then the next event-loop
 * turn awaited, over and over; each sample is one call plus the wait for the next turn, so a thread
 * the attack blocks shows as one long sample. One more round runs after the attack ends.
 */
async function neighbourDuring(kernel: Kernel, start: () => Promise<unknown>): Promise<{ samples: number[]; outcome: string }> {
  let outcome = '';
  // Started once the neighbour is calling: an inline attack runs in the caller's own stack and
  // would otherwise be over before the first neighbour call.
  const attack = new Promise<unknown>((resolve, reject) => setTimeout(() => start().then(resolve, reject), 20));
  const settled = attack.then(
    () => (outcome = 'answered (no error)'),
    (error: { code?: string }) => (outcome = error.code ?? String(error)),
  );
  const samples: number[] = [];
  let after = 0;
  while (after < 1) {
    if (outcome) after++;
    const started = performance.now();
    await kernel.invokeTool('echo', { text: 'neighbour' });
    await nextTurn();
    samples.push(performance.now() - started);
  }
  await settled;
  return { samples, outcome };
}

async function perCall(kernel: Kernel, tool: string): Promise<Summary> {
  const input = JSON.stringify({ text: 'hi' });
  for (let i = 0; i < 2000; i++) await kernel.call('tool', tool, 'invoke', [input]);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await kernel.call('tool', tool, 'invoke', [input]);
    samples.push((performance.now() - started) * 1000);
  }
  return summarize(samples);
}

printMachine();
const summary: SummaryRow[] = [];
const rows: Array<Array<string | number>> = [];
const details: Record<string, unknown> = {};

for (const isolation of ['worker', 'inline'] as const) {
  const grants = isolation === 'inline' ? ATTACKS.map((a) => `tool/${a}`) : [];
  const bench = await openBenchKernel({ builtins: true, config: { inlineGrants: grants } });
  const { kernel } = bench;
  try {
    for (const attack of ATTACKS) await kernel.deployManifest(await publishDir(kernel, path.join(FIXTURES, attack)));
    const idle = await neighbourDuring(kernel, () => new Promise((resolve) => setTimeout(resolve, 1000)));
    const quiet = summarize(idle.samples);
    rows.push([isolation, 'none (1 s idle)', quiet.n, quiet.p50, quiet.p99, quiet.max, '']);
    for (const attack of ATTACKS) {
      const { samples, outcome } = await neighbourDuring(kernel, () => kernel.invokeTool(attack, { attack: true }));
      const s = summarize(samples);
      details[`${isolation}/${attack}`] = { outcome, neighbour: s };
      const verdict = against(s.p99, '<=', TARGET_P99_MS, 'ms');
      summary.push(
        row(`${attack} (${isolation}): neighbour p99`, s.p99, 'ms', verdict),
        row(`${attack} (${isolation}): neighbour's longest wait`, s.max, 'ms'),
      );
      rows.push([isolation, attack, s.n, s.p50, s.p99, s.max, outcome]);
    }
  } finally {
    await bench.close();
  }
}
printTable(
  `a neighbour (echo, inline built-in) during each attack (ms); target p99 ≤ ${TARGET_P99_MS} ms`,
  ['attacker runs', 'attack', 'calls', 'p50', 'p99', 'max', 'attack ended with'],
  rows,
);
console.log(`Inline, the attack holds the kernel's thread until it is stopped: the neighbour's longest wait (max) is
the attack's length (the watchdog's limit, or the guest's own work before a refusal); in a worker it never waits on it.`);

// Isolation's own cost: the built-in echo inline, and the same binary published as a third party's (a worker).
const bench = await openBenchKernel({ builtins: true });
try {
  const built = await buildComponent(path.join(BUILTIN_ROOT, 'tools', 'echo'), { cacheDir: bench.kernel.paths.cache });
  await bench.kernel.deployManifest(
    await publishComponent(bench.kernel, { ...built, manifest: { ...built.manifest, name: 'echo-isolated', limits: { isolation: 'worker' } } }),
  );
  const inline = await perCall(bench.kernel, 'echo');
  const worker = await perCall(bench.kernel, 'echo-isolated');
  details.perCall = { inline, worker };
  summary.push(
    row('echo per call, inline p50', inline.p50, 'µs'),
    row('echo per call, worker p50', worker.p50, 'µs'),
    row('echo per call, worker p99', worker.p99, 'µs'),
  );
  printTable(
    `per-call cost of isolation (µs, ${CALLS} sequential calls after 2000 warm-up)`,
    ['runs', 'p50', 'p99', 'max'],
    [
      ['inline (built-in)', inline.p50, inline.p99, inline.max],
      ['worker', worker.p50, worker.p99, worker.max],
    ],
  );
} finally {
  await bench.close();
}
console.log(`results: ${await writeResult('attacks', summary, details)}`);
