// `titan step add --swarm FILE` and `titan step agents ID` on a stopped home: a swarm step is added
// from a JSON file, a bad one (no sub-agents, a tool that may not be granted) exits 1 with its code
// and adds nothing; after the goal runs, each sub-agent's state is listed (no model is configured
// here, so each reports the model's failure with its code: reported, not dropped).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runTitan } from '../support/cli.ts';
import { stoppedHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ home, cleanup } = await stoppedHome('titan-step-swarm-cli-'));
});
after(() => cleanup());

test('titan step add --swarm and titan step agents', { timeout: 180_000 }, async () => {
  const created = await runTitan(['goal', 'create', 'look', 'around', '--json'], home);
  assert.equal(created.code, 0, created.stderr);
  const goalId = (JSON.parse(created.stdout) as { goal: { id: string } }).goal.id;
  const steps = path.join(home, 'steps.json');
  await writeFile(steps, JSON.stringify([{ title: 'say', kind: 'tool', tool: 'echo', arguments: { text: 'hi' } }]));
  const plan = await runTitan(['plan', 'create', goalId, '--steps', steps, '--json'], home);
  assert.equal(plan.code, 0, plan.stderr);
  const planId = (JSON.parse(plan.stdout) as { id: string }).id;

  const bad = path.join(home, 'bad.json');
  await writeFile(bad, JSON.stringify({ agents: [] }));
  const none = await runTitan(['step', 'add', planId, '--title', 'fan out', '--swarm', bad], home);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /TITAN_E_SUBAGENTS_INVALID/);
  await writeFile(bad, JSON.stringify({ agents: [{ title: 'a', prompt: 'x', tools: ['write-file'] }] }));
  const grant = await runTitan(['step', 'add', planId, '--title', 'fan out', '--swarm', bad], home);
  assert.equal(grant.code, 1);
  assert.match(grant.stderr, /TITAN_E_SUBAGENT_GRANT: .*"write-file", which needs approval/);

  const swarm = path.join(home, 'swarm.json');
  await writeFile(
    swarm,
    JSON.stringify({
      agents: [
        { title: 'north', prompt: 'look north' },
        { title: 'south', prompt: 'look south', tools: ['echo'] },
      ],
      concurrency: 2,
    }),
  );
  const added = await runTitan(['step', 'add', planId, '--title', 'fan out', '--swarm', swarm, '--json'], home);
  assert.equal(added.code, 0, added.stderr);
  const step = JSON.parse(added.stdout) as { id: string; kind: string; position: number };
  assert.equal(step.kind, 'swarm');
  const list = await runTitan(['step', 'list', planId, '--json'], home);
  assert.equal((JSON.parse(list.stdout) as unknown[]).length, 2, 'the bad ones added nothing');

  const run = await runTitan(['goal', 'run', goalId, '--json'], home);
  assert.equal(run.code === 0 || run.code === 1, true, run.stderr);
  const agents = await runTitan(['step', 'agents', step.id], home);
  assert.equal(agents.code, 0, agents.stderr);
  assert.match(agents.stdout, /north/);
  assert.match(agents.stdout, /south/);
  const rows = JSON.parse((await runTitan(['step', 'agents', step.id, '--json'], home)).stdout) as Array<{
    title: string;
    state: string;
    result?: { error?: { code: string } };
  }>;
  assert.deepEqual(
    rows.map((r) => r.title),
    ['north', 'south'],
  );
  for (const r of rows) assert.ok(['succeeded', 'failed'].includes(r.state), `${r.title}: ${r.state}`);
  for (const r of rows.filter((r) => r.state === 'failed')) assert.equal(r.result?.error?.code, 'TITAN_E_SUBAGENT_FAILED');
});
