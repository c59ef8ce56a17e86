// Memory under instance churn, for each way Titan makes and drops instances: inline instances made
// and dropped in the kernel's thread; worker threads that ran a component terminated and replaced
// (a call stopped at its time limit, or cancelled by its caller); and the smoke test a new version (a
// reflex) takes in a worker before it may serve, failing here so it is dropped. Every 100 it prints
// RSS, the V8 heap, and /proc/self/smaps_rollup (anonymous: malloc and V8; file-backed: code and
// mapped files). Target: RSS after N within 10% of RSS after the first 100. It runs in a child
// process with --expose-gc and the titan command's flags and environment, so the figures are its own
// and Titan's as users run it.
// Run alone: node benchmarks/instance-churn.ts [inline=1000] [terminated=300] [smoke=300] [every=100]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTitanError } from '../common/errors.ts';
import { instantiate } from '../kernel/instance.ts';
import { publishComponent } from '../kernel/publish.ts';
import { buildComponent } from '../toolchain/build.ts';
import { gcOrRerun } from './gc-child.ts';
import { openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, metCell, printTable, row, writeResult, type SummaryRow } from './stats.ts';

const GROWTH_LIMIT = 10; // percent, after the first EVERY against the last
const FIXTURES = fileURLToPath(new URL('../test/fixtures/components/', import.meta.url));
const [inlineN, terminatedN, smokeN, EVERY] = [1_000, 300, 300, 100].map((n, i) => Number(process.argv[2 + i] ?? n));

const gc = gcOrRerun(import.meta.url);

const MB = 2 ** 20;
type Point = { n: number; rssMb: number; anonMb: number; fileMb: number; heapMb: number; heapCommittedMb: number; externalMb: number; ms: number };

/** Anonymous and file-backed resident memory (Linux; NaN elsewhere). */
function smaps(): { anonMb: number; fileMb: number } {
  try {
    const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1]);
    return { anonMb: kb('Anonymous') / 1024, fileMb: (kb('Rss') - kb('Anonymous')) / 1024 };
  } catch {
    return { anonMb: NaN, fileMb: NaN };
  }
}

async function point(n: number, started: number): Promise<Point> {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return {
    n,
    rssMb: m.rss / MB,
    ...smaps(),
    heapMb: m.heapUsed / MB,
    heapCommittedMb: m.heapTotal / MB,
    externalMb: m.external / MB,
    ms: n ? (performance.now() - started) / n : 0,
  };
}

/** Runs `once` n times, a point every EVERY; prints the table and returns the summary rows. */
async function churn(title: string, n: number, once: (i: number) => Promise<void>): Promise<{ points: Point[]; rows: SummaryRow[] }> {
  const started = performance.now();
  const points = [await point(0, started)];
  for (let i = 1; i <= n; i++) {
    await once(i);
    if (i % EVERY === 0 || i === n) {
      points.push(await point(i, started));
      const p = points.at(-1) as Point;
      console.log(`${title} ${i}: RSS ${p.rssMb.toFixed(1)} MB (anon ${p.anonMb.toFixed(1)}, file ${p.fileMb.toFixed(1)}), heap ${p.heapMb.toFixed(1)}`);
    }
  }
  printTable(
    `${title}: ${n} made and dropped (MB after gc)`,
    ['n', 'RSS', 'anon', 'file-backed', 'JS heap used', 'V8 heap committed', 'external', 'ms each'],
    points.map((p) => [p.n, p.rssMb, p.anonMb, p.fileMb, p.heapMb, p.heapCommittedMb, p.externalMb, p.ms]),
  );
  const first = points.find((p) => p.n >= EVERY) ?? (points[1] as Point);
  const last = points.at(-1) as Point;
  const growth = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
  const perThousand = last.n > first.n ? ((last.rssMb - first.rssMb) / (last.n - first.n)) * 1000 : NaN;
  const verdict = against(growth, '<=', GROWTH_LIMIT, '%');
  console.log(
    `${title}: RSS ${first.n} -> ${last.n}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (target ${verdict.target}: ${metCell(verdict.met)}); ${perThousand.toFixed(1)} MB per 1,000 after the first ${first.n}`,
  );
  return {
    points,
    rows: [
      row(`${title}: RSS growth ${first.n} -> ${last.n}`, growth, '%', verdict),
      row(`${title}: RSS per 1,000 after the first ${first.n}`, perThousand, 'MB'),
    ],
  };
}

printMachine();
const bench = await openBenchKernel({ builtins: true });
const { kernel } = bench;
const summary: SummaryRow[] = [];
const details: Record<string, Point[]> = {};

// (1) Inline: a fresh instance of echo, one call, dropped (what a stream of new versions does).
const echo = await kernel.registry.resolve({ kind: 'tool', name: 'echo' });
const loaded = await kernel.loader.load(echo, await kernel.registry.readBlob(echo));
if (inlineN > 0) {
  const inline = await churn('inline instances', inlineN, async () => {
    (await instantiate(loaded, kernel.services)).exports.invoke('{"text":"x"}');
  });
  summary.push(...inline.rows);
  details.inline = inline.points;
}

// (2) Worker-isolated: a thread that ran a component is terminated and replaced, the two ways it
// happens: hog fills 16 MB of its guest memory, then a call its caller cancels ends its thread (a
// peer's cancel does this); spinner's spinning call is stopped at its time limit (300 ms).
if (terminatedN > 0) {
  await kernel.deployManifest(await publishDir(kernel, path.join(FIXTURES, 'spinner')));
  const hogManifest = await publishDir(kernel, path.join(FIXTURES, 'hog'));
  const hog = await kernel.probeFor(hogManifest, () => kernel.registry.readBlob(hogManifest));
  const cancelled = AbortSignal.abort();
  const terminated = await churn('worker threads terminated', terminatedN, async (i) => {
    if (i % 2 === 0) {
      await hog.call('invoke', ['{"mb":16}']);
      await hog.call('invoke', ['{"mb":1}'], { signal: cancelled }).then(
        () => Promise.reject(new Error('a cancelled call answered')),
        (error) => (isTitanError(error, 'TITAN_E_MESH_CANCELLED') ? undefined : Promise.reject(error)),
      );
    } else {
      await kernel.invokeTool('spinner', { spin: true }).then(
        () => Promise.reject(new Error('spinner answered a spinning call')),
        (error) => (isTitanError(error, 'TITAN_E_TIMEOUT') ? undefined : Promise.reject(error)),
      );
    }
  });
  await hog.close();
  summary.push(...terminated.rows);
  details.terminated = terminated.points;
}

// (3) A new version's smoke test in a worker (what publishing each reflex does), failing: the
// probe deployment is closed and what loading it compiled is forgotten.
if (smokeN > 0) {
  const built = await buildComponent(path.join(FIXTURES, 'echo-bad-smoke'), { cacheDir: kernel.paths.cache });
  const smoke = await churn('smoke tests failed', smokeN, async () => {
    await publishComponent(kernel, built).then(
      () => Promise.reject(new Error('echo-bad-smoke passed its smoke test')),
      (error) => (isTitanError(error, 'TITAN_E_SMOKE_FAILED') ? undefined : Promise.reject(error)),
    );
  });
  summary.push(...smoke.rows);
  details.smoke = smoke.points;
}

await bench.close();
console.log(`results: ${await writeResult('instance-churn', summary, details)}`);
