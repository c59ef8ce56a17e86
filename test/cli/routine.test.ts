// `titan routine` as a user runs it: against a running `titan start` (which schedules at once) and
// with no kernel running (the command opens one; the next start schedules what it added).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RoutineRun, RoutineView } from '../../agent/api.ts';
import { runTitan, startTitan, type RunningTitan } from '../support/cli.ts';
import { tempHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;
let titan: RunningTitan | undefined;

async function stop(): Promise<void> {
  const child = titan?.child;
  titan = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // A part that takes long to close must not hold the suite: the schedule survives a kill as well.
  const grace = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(grace);
}

before(async () => {
  ({ home, cleanup } = await tempHome('titan-routine-cli-'));
  titan = await startTitan(home, 'gateway on');
});
after(async () => {
  await stop();
  await cleanup();
});

const json = async <T>(args: string[]): Promise<T> => {
  const result = await runTitan([...args, '--json'], home);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  return JSON.parse(result.stdout) as T;
};

test('add, list, run, show, pause, resume and rm against the running kernel; a bad cron changes nothing', async () => {
  const added = await runTitan(['routine', 'add', 'morning', '--cron', '0 7 * * *', '--tz', 'Europe/Berlin', '--tool', 'clock'], home);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /added morning: cron "0 7 \* \* \*" \(Europe\/Berlin\), tool clock\nnext run \d{4}-\d\d-\d\d 06:00:00 UTC/);

  const bad = await runTitan(['routine', 'add', 'bad', '--cron', '61 * * * *', '--tool', 'clock'], home);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /TITAN_E_ROUTINE_CRON: "61 \* \* \* \*" is not a cron expression/);
  assert.deepEqual(
    (await json<RoutineView[]>(['routine', 'list'])).map((r) => r.name),
    ['morning'],
  );

  const run = await runTitan(['routine', 'run', 'morning'], home);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^succeeded\n\{"epochMs"/);

  // Every second, through the running kernel's own timer.
  assert.equal((await runTitan(['routine', 'add', 'tick', '--cron', '* * * * * *', '--tool', 'clock'], home)).code, 0);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const { runs } = await json<{ runs: RoutineRun[] }>(['routine', 'show', 'tick']);
  const cron = runs.filter((r) => r.trigger === 'cron' && r.outcome === 'succeeded');
  assert.ok(cron.length >= 2, JSON.stringify(runs));
  for (const r of cron) assert.equal(r.scheduledAt % 1000, 0, 'due on the second');

  assert.equal((await json<RoutineView>(['routine', 'pause', 'tick'])).enabled, false);
  const removed = await runTitan(['routine', 'rm', 'tick'], home);
  assert.match(removed.stdout, /^removed tick and its \d+ run\(s\)/);
});

test('with no kernel running the command opens one: a routine added then is scheduled by the next start', async () => {
  await stop();
  const added = await runTitan(['routine', 'add', 'after-restart', '--cron', '* * * * * *', '--tool', 'clock', '--missed', 'run-once'], home);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /no kernel runs: the routine is scheduled when Titan starts/);
  // Down across at least one fire time: a start within the same second would have missed nothing.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // Routines start after ready ('gateway on'): once every part runs, the start says 'Ctrl-C stops.'.
  titan = await startTitan(home, 'Ctrl-C stops.');
  assert.match(titan.output(), /routines: \d+ scheduled/);
  let runs: RoutineRun[] = [];
  // The kernel's timer runs it every second; each look is a CLI call through the control socket.
  const done = (r: RoutineRun, trigger: string) => r.trigger === trigger && r.outcome === 'succeeded';
  for (let i = 0; i < 5 && !(runs.some((r) => done(r, 'missed')) && runs.some((r) => done(r, 'cron'))); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    runs = (await json<{ runs: RoutineRun[] }>(['routine', 'show', 'after-restart', '--limit', '100'])).runs;
  }
  assert.deepEqual(
    runs.filter((r) => r.trigger === 'missed').map((r) => r.outcome),
    ['succeeded'],
    'the runs missed while down: one run (policy run-once)',
  );
  assert.ok(runs.some((r) => r.trigger === 'cron' && r.outcome === 'succeeded'));
  assert.ok(
    (await json<RoutineView[]>(['routine', 'list'])).some((r) => r.name === 'morning'),
    'the routines added before the restart are still there',
  );
});
