// A watcher sub-agent following a running job's log on the real Docker engine: it stops the job at
// the line it watches for (the job ends cancelled, saying why), the early stop is recorded with
// that line; another user's job is not found, and the sub-agent says so.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { startAutonomy } from '../../agent/autonomy/start.ts';
import type { SubAgentResult } from '../../agent/autonomy/swarm/types.ts';
import { Agent } from '../../agent/loop/agent.ts';
import { jobKernel, NO_DOCKER } from '../jobs/support.ts';
import { scriptedModel } from '../support/model-double.ts';
import { onTeardown } from '../support/teardown.ts';

test("a watcher stops a running job at the line it watches for; another user's job is not found", { skip: NO_DOCKER, timeout: 180_000 }, async (t) => {
  const { kernel, jobs } = await jobKernel(t);
  const agent = new Agent(kernel, { workspace: path.join(kernel.paths.home, 'workspace'), llm: scriptedModel([]) });
  await agent.start();
  onTeardown(t, () => agent.close());
  const autonomy = startAutonomy(kernel, agent);
  autonomy.useJobs(jobs);

  const job = await jobs.submit('ada', {
    command: 'for i in $(seq 1 300); do echo "migrating batch $i"; if [ $i = 4 ]; then echo "FATAL: out of disk"; fi; sleep 0.2; done',
  });
  const theirs = await jobs.submit('bob', { command: 'sleep 30' });
  const { goal, plan } = await autonomy.plane.createGoal('ada', {
    title: 'watch the migration',
    steps: [
      {
        title: 'watch',
        kind: 'swarm',
        agents: [
          { title: 'migration', watch: { job: job.id, pattern: 'FATAL' } },
          { title: "bob's", watch: { job: theirs.id, pattern: 'x' } },
        ],
      },
    ],
  });
  const started = performance.now();
  const report = await autonomy.runner.run('ada', goal.id);
  assert.equal(report.status, 'succeeded');
  assert.ok(performance.now() - started < 40_000, 'stopped long before its 60 s');
  const results = (await autonomy.plane.executions('ada', plan!.id))
    .filter((e) => e.kind === 'subagent')
    .map((e) => JSON.parse(e.output ?? '{}') as SubAgentResult)
    .sort((a, b) => a.index - b.index);
  assert.equal(results[0].status, 'stopped_early');
  assert.deepEqual(results[0].trigger, { line: 'FATAL: out of disk', by: 'pattern' });
  assert.equal(results[1].status, 'failed');
  assert.equal(results[1].error?.code, 'TITAN_E_NOT_FOUND');

  const stopped = await jobs.get(job.id);
  assert.equal(stopped.state, 'cancelled');
  assert.match(stopped.reason ?? '', /a sub-agent that saw: FATAL: out of disk/);
  const incidents = await autonomy.plane.incidents('ada', goal.id);
  assert.ok(incidents.some((i) => i.kind === 'watch.stopped' && i.message.includes(`stopped job ${job.id} early (pattern) at: FATAL: out of disk`)));
  await jobs.cancel(theirs.id);
});
