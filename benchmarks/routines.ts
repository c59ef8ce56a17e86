// Routine trigger accuracy: 20 routines on a six-field cron firing every second, on the real clock
// and the real store, until 100 scheduled runs have happened. Lateness is a run's actual start minus
// the time it was due: as recorded in its history (the run begins), and when its action started
// (a host-side tool the routines call notes the time it was invoked). The figures are only as good
// as the machine is quiet: a loaded event loop fires timers late. Run alone:
// node benchmarks/routines.ts
import path from 'node:path';
import { Agent } from '../agent/api.ts';
import { RoutineService } from '../agent/services.ts';
import type { ToolInfo, ToolSource } from '../agent/loop/tool-catalog.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult } from './stats.ts';

const ROUTINES = 20;
const TRIGGERS = 100;
const TARGET = { p50: 10, p99: 100, max: 1000 };

/** Notes when each call arrives, by routine name. */
class Stopwatch implements ToolSource {
  readonly invoked: Array<{ routine: string; at: number }> = [];
  tools(): ToolInfo[] {
    return [{ name: 'stopwatch', description: 'notes the time', schema: { type: 'object' }, needsApproval: false, digest: 'bench', sideEffects: false }];
  }
  owns = (name: string) => name === 'stopwatch';
  async invoke(_name: string, input: string): Promise<string> {
    const at = Date.now();
    this.invoked.push({ routine: (JSON.parse(input) as { routine: string }).routine, at });
    return '{}';
  }
  cancel(): void {}
}

printMachine();
const bench = await openBenchKernel();
try {
  const { kernel, home } = bench;
  const report = await bootstrapBuiltins(kernel); // the store with the routines' tables
  if (report.failed.length) throw new Error(`bootstrap failed: ${JSON.stringify(report.failed)}`);
  const agent = new Agent(kernel, {
    workspace: path.join(home, 'workspace'),
    llm: async function* () {
      yield { type: 'stop', reason: 'end_turn' } as const;
    },
  });
  await agent.start();
  const stopwatch = new Stopwatch();
  agent.tools.addSource(stopwatch);
  const routines = await RoutineService.start({ kernel, agent, ownerId: 'bench' });
  for (let i = 0; i < ROUTINES; i++) {
    // allow: a slow run never makes the next one skip, so every trigger is measured.
    await routines.add({ name: `tick-${i}`, cron: '* * * * * *', timezone: 'UTC', concurrency: 'allow', tool: 'stopwatch', args: { routine: `tick-${i}` } });
  }
  const countRuns = async () => (await kernel.store.op('routineRuns.list', { limit: 1000 })).filter((r) => r.trigger === 'cron' && r.finishedAt !== null);
  const started = performance.now();
  while ((await countRuns()).length < TRIGGERS) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const r of routines.list()) await routines.setEnabled(r.name, false);
  await routines.idle();
  const wall = performance.now() - started;

  const runs = (await countRuns()).sort((a, b) => a.scheduledAt - b.scheduledAt).slice(0, TRIGGERS);
  const nameOf = new Map(routines.list().map((r) => [r.id, r.name]));
  const runStart = summarize(runs.map((r) => (r.startedAt ?? Number.NaN) - r.scheduledAt));
  const actionStart = summarize(
    runs.map((r) => {
      const call = stopwatch.invoked.find((c) => c.routine === nameOf.get(r.routineId) && c.at >= r.scheduledAt && c.at < r.scheduledAt + 1000);
      return (call?.at ?? Number.NaN) - r.scheduledAt;
    }),
  );
  const failed = runs.filter((r) => r.outcome !== 'succeeded').length;
  const checks = {
    p50: against(runStart.p50, '<=', TARGET.p50, 'ms'),
    p99: against(runStart.p99, '<=', TARGET.p99, 'ms'),
    max: against(runStart.max, '<=', TARGET.max, 'ms'),
  };
  printTable(
    `routine trigger lateness: ${TRIGGERS} scheduled runs of ${ROUTINES} routines firing every second (ms after the due time)`,
    ['measure', 'p50', 'p99', 'max', 'min', 'target', ''],
    [
      [
        'run start (history)',
        runStart.p50,
        runStart.p99,
        runStart.max,
        runStart.min,
        `p50 <= ${TARGET.p50}, p99 <= ${TARGET.p99}, max <= ${TARGET.max}`,
        metCell(checks.p50.met && checks.p99.met && checks.max.met),
      ],
      ['action start (tool invoked)', actionStart.p50, actionStart.p99, actionStart.max, actionStart.min, '', ''],
    ],
  );
  console.log(`${failed} of ${TRIGGERS} runs failed; ${(wall / 1000).toFixed(1)} s wall`);
  const summary = [
    row('trigger lateness p50', runStart.p50, 'ms', checks.p50),
    row('trigger lateness p99', runStart.p99, 'ms', checks.p99),
    row('trigger lateness max', runStart.max, 'ms', checks.max),
    row('action start lateness p99', actionStart.p99, 'ms'),
  ];
  console.log(`results: ${await writeResult('routines', summary, { routines: ROUTINES, triggers: TRIGGERS, failed, runStart, actionStart })}`);
  await routines.close();
  await agent.close();
} finally {
  await bench.close();
}
