// Swarm steps through REST: a goal whose step fans out to sub-agents runs and each sub-agent's
// state and result is read back from /api/steps/:id/agents; bad swarms (none, too many, a tool that
// may not be granted) are refused 400 with their code and leave nothing behind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

const answer = (text: string) => [
  { type: 'text' as const, text },
  { type: 'stop' as const, reason: 'end_turn' },
];

test('a swarm step through REST: run, then each sub-agent read back; bad swarms are 400 with their code', async (t) => {
  const gw = await openGateway(harness, { steps: [answer('first'), answer('second'), answer('third')] });
  t.after(() => gw.close());
  const refused = async (agents: unknown[], code: string) => {
    const response = await gw.call('POST', '/api/goals', { title: 'bad', steps: [{ title: 'fan out', kind: 'swarm', agents }] });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.error.code, code);
  };
  await refused([], 'TITAN_E_SUBAGENTS_INVALID');
  await refused(
    Array.from({ length: 1001 }, (_, i) => ({ title: `a${i}`, prompt: 'x' })),
    'TITAN_E_SUBAGENTS_TOO_MANY',
  );
  await refused([{ title: 'a', prompt: 'x', tools: ['no-such-tool'] }], 'TITAN_E_SUBAGENT_GRANT');
  assert.equal((await gw.call('GET', '/api/goals')).body.total, 0, 'nothing was written');

  const created = await gw.call('POST', '/api/goals', {
    title: 'three views',
    steps: [
      {
        title: 'fan out',
        kind: 'swarm',
        concurrency: 1,
        agents: [
          { title: 'one', prompt: 'look at one' },
          { title: 'two', prompt: 'look at two', tools: ['echo'] },
          { title: 'three', prompt: 'look at three' },
        ],
      },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const step = created.body.plan.steps[0];
  assert.equal(step.kind, 'swarm');
  assert.equal(step.spec.swarm.agents.length, 3);
  const added = await gw.call('POST', `/api/plans/${created.body.plan.id}/steps`, { title: 'more', kind: 'swarm', agents: [] });
  assert.equal(added.status, 400);
  assert.equal(added.body.error.code, 'TITAN_E_SUBAGENTS_INVALID');

  const run = await gw.call('POST', `/api/goals/${created.body.goal.id}/run?wait=true`, {});
  assert.equal(run.status, 200);
  assert.equal(run.body.status, 'succeeded');
  assert.match(run.body.steps[0].output, /^3 sub-agents: 3 succeeded/);
  const { agents } = (await gw.call('GET', `/api/steps/${step.id}/agents`)).body;
  assert.deepEqual(
    agents.map((a: { index: number; title: string; state: string; node: string; result: { output: string } }) => [
      a.index,
      a.title,
      a.state,
      a.node,
      a.result.output,
    ]),
    [
      [0, 'one', 'succeeded', 'local', 'first'],
      [1, 'two', 'succeeded', 'local', 'second'],
      [2, 'three', 'succeeded', 'local', 'third'],
    ],
  );
  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.equal((await gw.call('GET', `/api/steps/${step.id}/agents`, undefined, bob)).status, 404, "another user's step is not found");
});
