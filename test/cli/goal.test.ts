// `titan goal|plan|step` as a person at a terminal uses them on a stopped home: a goal created with
// a plan from a JSON file, listed, run to its end (the command waits, since its kernel stops with
// it), shown with its check; a move the state table forbids exits 1 with the coded error; a bad
// flag exits 2.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runTitan } from '../support/cli.ts';
import { stoppedHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ home, cleanup } = await stoppedHome('titan-goal-cli-'));
});
after(() => cleanup());

async function json<T>(args: string[], code = 0): Promise<T> {
  const result = await runTitan([...args, '--json'], home);
  assert.equal(result.code, code, `titan ${args.join(' ')}: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

test('titan goal create, list, run, show; plan and step views; refused moves and bad flags', { timeout: 180_000 }, async () => {
  const steps = path.join(home, 'steps.json');
  await writeFile(
    steps,
    JSON.stringify({
      steps: [
        { title: 'say one', kind: 'tool', tool: 'echo', arguments: { text: 'one' } },
        { title: 'say two', kind: 'tool', tool: 'echo', arguments: { text: 'two' } },
      ],
      verify: { tool: 'echo', arguments: { text: 'all good' }, expect: 'good' },
    }),
  );
  const created = await json<{ goal: { id: string }; plan: { id: string; steps: Array<{ id: string }> } }>([
    'goal',
    'create',
    'say',
    'things',
    '--steps',
    steps,
    '--priority',
    '2',
  ]);
  const goalId = created.goal.id;
  const planId = created.plan.id;
  assert.equal(created.plan.steps.length, 2);

  const listed = await json<{ total: number; goals: Array<{ title: string; priority: number }> }>(['goal', 'list', '--status', 'active']);
  assert.equal(listed.total, 1);
  assert.deepEqual([listed.goals[0].title, listed.goals[0].priority], ['say things', 2]);

  const report = await json<{ status: string; goalStatus: string; verification: { passed: boolean } }>(['goal', 'run', goalId]);
  assert.deepEqual([report.status, report.goalStatus, report.verification.passed], ['succeeded', 'completed', true]);

  const shown = await runTitan(['goal', 'show', goalId], home);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /completed/);
  assert.match(shown.stdout, /passed {2}tool:echo: echo answered with "good"/);

  const executions = await json<Array<{ target: string; status: string }>>(['plan', 'executions', planId]);
  assert.deepEqual(
    executions.map((e) => e.status),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  const decisions = await json<Array<{ decision: string }>>(['plan', 'decisions', planId]);
  assert.ok(decisions.every((d) => d.decision === 'allowed'));
  const listedSteps = await json<Array<{ status: string }>>(['step', 'list', planId]);
  assert.deepEqual(
    listedSteps.map((s) => s.status),
    ['succeeded', 'succeeded'],
  );

  const refused = await runTitan(['goal', 'cancel', goalId], home);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /TITAN_E_GOAL_STATE: goal .* is completed; it cannot become cancelled/);
  assert.match(refused.stderr, /fix: /);

  const second = await json<{ goal: { id: string }; plan: { id: string } }>(['goal', 'create', 'another', '--steps', steps]);
  const added = await json<{ position: number; kind: string }>(['step', 'add', second.plan.id, '--title', 'think', '--prompt', 'what next?']);
  assert.deepEqual([added.position, added.kind], [3, 'turn']);
  const paused = await json<{ status: string }>(['goal', 'update', second.goal.id, '--status', 'paused']);
  assert.equal(paused.status, 'paused');

  const bad = await runTitan(['goal', 'list', '--sort', 'colour'], home);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TITAN_E_USAGE/);
});
