// The autonomy control plane: (1) a goal with a 10-step plan pursued end to end by the agent with
// the scripted model over HTTP (zero latency): each step's wall time from the bus, against the same
// tool called directly, so the control plane's overhead per step (step, execution and policy
// records, the tool lookup) is a difference of figures measured together; (2) list queries over
// 10k goals of one user on both backends, p50.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { Agent, createLlm, startScriptedLlm, type GoalEvent } from '../agent/api.ts';
import { startAutonomy } from '../agent/services.ts';
import { Kernel, bootstrapBuiltins } from '../kernel/api.ts';
import { startPostgres, type PostgresCluster } from '../test/support/postgres.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const STEPS = 10;
const GOALS = 20;
const DIRECT_CALLS = 400;
const LIST_GOALS = 10_000;
const LIST_QUERIES = 300;

async function openKernel(dbUrl?: string) {
  const home = await tempDir('titan-bench-autonomy-');
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: dbUrl ? { TITAN_DB_URL: dbUrl } : {} });
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  return {
    kernel,
    home,
    close: async () => {
      await kernel.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Goals of 10 echo steps pursued through the model's tool; per-step wall times and per-goal turn times. */
async function planRuns() {
  const { kernel, home, close } = await openKernel();
  const server = await startScriptedLlm();
  try {
    const llm = createLlm(kernel, {
      providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'bench', apiKeyEnv: 'K' }],
      env: { K: 'k' },
    });
    const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
    await agent.start();
    startAutonomy(kernel, agent);
    const pursue = {
      title: 'count',
      steps: Array.from({ length: STEPS }, (_, i) => ({ title: `say ${i}`, kind: 'tool', tool: 'echo', arguments: { text: `step ${i}` } })),
    };
    server.load({
      turns: [
        // The answer to the tool's report first: the pursue turn matches every request of the thread.
        { repeat: true, match: { lastMessageContains: 'The goal is complete.' }, content: [{ type: 'text', text: 'done' }] },
        { repeat: true, match: { lastUserContains: 'count' }, content: [{ type: 'tool_call', name: 'autonomy__pursue', arguments: pursue }] },
      ],
    });
    const started = new Map<string, number>();
    const stepMs: number[] = [];
    kernel.bus.on('goal.event', (event: GoalEvent) => {
      if (event.type !== 'step.updated') return;
      const step = event.data as { id: string; status: string };
      if (step.status === 'running') started.set(step.id, performance.now());
      else if (step.status === 'succeeded' && started.has(step.id)) stepMs.push(performance.now() - started.get(step.id)!);
    });
    const turnMs: number[] = [];
    for (let i = 0; i < GOALS + 2; i++) {
      const thread = await agent.createThread('bench');
      const t0 = performance.now();
      const sent = await agent.send('bench', thread.id, `count to ${STEPS}`, { modelOnly: true });
      const outcome = await sent.run.done;
      if (outcome.state !== 'completed' || outcome.text !== 'done') throw new Error(`goal ${i}: ${outcome.state} ${outcome.error?.message ?? outcome.text}`);
      if (i >= 2) turnMs.push(performance.now() - t0); // the first two warm the JIT and the caches
    }
    const { goals } = await startAutonomy(kernel, agent).plane.listGoals('bench', { status: ['completed'], limit: 500 });
    if (goals.length !== GOALS + 2) throw new Error(`${goals.length} goals completed, not ${GOALS + 2}`);
    // The same tool, called directly through the kernel: what a step costs without the control plane.
    const direct: number[] = [];
    for (let i = 0; i < DIRECT_CALLS; i++) {
      const t0 = performance.now();
      await kernel.call('tool', 'echo', 'invoke', [JSON.stringify({ text: `step ${i}` })]);
      direct.push(performance.now() - t0);
    }
    await agent.close();
    return { step: summarize(stepMs.slice(2 * STEPS)), turn: summarize(turnMs), direct: summarize(direct.slice(50)) };
  } finally {
    await server.close();
    await close();
  }
}

type ListFigures = { backend: string; recent: ReturnType<typeof summarize>; filtered: ReturnType<typeof summarize>; deep: ReturnType<typeof summarize> };

/** 10k goals of one user (and 10k of another), then the three list queries the page and the CLI make. */
async function listQueries(backend: string, dbUrl?: string): Promise<ListFigures> {
  const { kernel, close } = await openKernel(dbUrl);
  try {
    const statuses = ['active', 'paused', 'completed', 'failed', 'cancelled'];
    for (const user of ['bench', 'other']) {
      const rows = Array.from({ length: LIST_GOALS }, (_, i) => ({
        id: `${user}-g${i}`,
        user_id: user,
        title: `goal ${i}`,
        description: null,
        status: statuses[i % statuses.length],
        priority: i % 10,
        thread_id: null,
        superseded_by: null,
        replans: 0,
        replan_budget: 2,
        created_at: i,
        updated_at: (i * 7919) % LIST_GOALS,
      }));
      for (let i = 0; i < rows.length; i += 500) await kernel.store.op('table.load', { table: 'goals', rows: rows.slice(i, i + 500) });
    }
    const time = async (query: Parameters<typeof kernel.store.op<'goals.list'>>[1]) => {
      const samples: number[] = [];
      for (let i = 0; i < LIST_QUERIES; i++) {
        const t0 = performance.now();
        const page = await kernel.store.op('goals.list', query);
        samples.push(performance.now() - t0);
        if (page.total === 0) throw new Error('no goals listed');
      }
      return summarize(samples.slice(20));
    };
    return {
      backend,
      recent: await time({ userId: 'bench', limit: 50 }),
      filtered: await time({ userId: 'bench', status: ['active', 'paused'], sort: 'priority', order: 'desc', limit: 50 }),
      deep: await time({ userId: 'bench', sort: 'created', order: 'asc', offset: 9000, limit: 50 }),
    };
  } finally {
    await close();
  }
}

printMachine();
const runs = await planRuns();
const overhead = runs.step.p50 - runs.direct.p50;
printTable(
  `a goal with a ${STEPS}-step plan (echo tool steps), pursued by the agent with the scripted model, ${GOALS} goals`,
  ['figure', 'p50 ms', 'p99 ms'],
  [
    ['one step, in the plan runner', runs.step.p50, runs.step.p99],
    ['the same tool called directly', runs.direct.p50, runs.direct.p99],
    ['control-plane overhead per step', overhead, runs.step.p99 - runs.direct.p99],
    [`the whole goal (2 model requests, ${STEPS} steps, check)`, runs.turn.p50, runs.turn.p99],
  ],
);

const lists: ListFigures[] = [];
let cluster: PostgresCluster | undefined;
try {
  lists.push(await listQueries('libSQL (file)'));
  cluster = await startPostgres();
  lists.push(await listQueries('PostgreSQL', cluster.url));
} finally {
  await cluster?.stop();
}
printTable(
  `goals.list over ${LIST_GOALS.toLocaleString()} goals of one user (and as many of another), page of 50, total counted`,
  ['backend', 'newest p50 ms', 'by status+priority p50 ms', 'offset 9000 p50 ms'],
  lists.map((l) => [l.backend, l.recent.p50, l.filtered.p50, l.deep.p50]),
);

await writeResult(
  'autonomy',
  [
    row('control-plane overhead per plan step (p50)', overhead, 'ms', against(overhead, '<=', 10, 'ms')),
    row(`${STEPS}-step goal end to end (p50)`, runs.turn.p50, 'ms'),
    ...lists.flatMap((l) => [
      row(`${l.backend}: list 10k goals, newest 50 (p50)`, l.recent.p50, 'ms', against(l.recent.p50, '<=', 20, 'ms')),
      row(`${l.backend}: list by status and priority (p50)`, l.filtered.p50, 'ms', against(l.filtered.p50, '<=', 20, 'ms')),
    ]),
  ],
  { runs, lists },
);
