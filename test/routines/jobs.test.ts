// Job routines on the real Docker engine: the job runs in the sandbox and its log becomes the run's
// output; a failing job fails the run with its code; and where no engine answers, a job routine is
// refused when it is made (nothing stored), not left to fail at 7 in the morning.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Agent, type JobService } from '../../agent/api.ts';
import { RoutineService, routineJobs } from '../../agent/services.ts';
import { isTitanError } from '../../common/errors.ts';
import { NO_DOCKER, jobKernel } from '../jobs/support.ts';
import { scriptedModel } from '../support/model-double.ts';
import { onTeardown } from '../support/teardown.ts';
import type { Kernel } from '../../kernel/api.ts';

async function routinesOn(t: TestContext, kernel: Kernel, jobs: JobService | undefined): Promise<RoutineService> {
  const agent = new Agent(kernel, { workspace: path.join(kernel.paths.home, 'workspace'), llm: scriptedModel([]) });
  await agent.start();
  const routines = await RoutineService.start({ kernel, agent, ownerId: 'ada', jobs: jobs ? routineJobs(jobs) : undefined });
  onTeardown(t, async () => {
    await routines.idle();
    await routines.close();
    await agent.close();
  });
  return routines;
}

test('a job routine runs in the sandbox; its log is the run output, and a failing job fails the run', { skip: NO_DOCKER }, async (t) => {
  const { kernel, jobs } = await jobKernel(t);
  await jobs.engine.ensureImage(jobs.config.image, true);
  const routines = await routinesOn(t, kernel, jobs);
  await routines.add({ name: 'sandboxed', cron: '0 7 * * *', job: { command: 'echo "42 tests pass"; cat /etc/hostname >/dev/null' } });
  const run = await routines.run('sandboxed').done;
  assert.equal(run.outcome, 'succeeded', run.error ?? '');
  assert.match(run.output ?? '', /42 tests pass/);
  const [job] = await jobs.list('ada');
  assert.equal(job.spec.origin, `routine:${routines.find('sandboxed').id}`, 'the job says which routine asked for it');

  await routines.add({ name: 'failing', job: { command: 'echo "3 tests fail"; exit 3' } });
  const failed = await routines.run('failing').done;
  assert.equal(failed.outcome, 'failed');
  assert.match(failed.error ?? '', /^TITAN_E_ROUTINE_JOB: [\s\S]*3 tests fail/);
});

test('without a Docker engine a job routine is refused when it is made, and nothing is stored', async (t) => {
  const { kernel, jobs } = await jobKernel(t, { dockerSocket: path.join('/nonexistent', 'docker.sock') });
  for (const port of [jobs, undefined]) {
    const routines = await routinesOn(t, kernel, port);
    await assert.rejects(
      routines.add({ name: 'needs-docker', cron: '0 7 * * *', job: { command: 'npm test' } }),
      (e: unknown) => isTitanError(e, 'TITAN_E_ROUTINE_NO_DOCKER') && /docker|jobs do not run/i.test(e.message),
    );
    assert.deepEqual(routines.list(), []);
  }
  assert.deepEqual(await kernel.store.op('routines.list'), []);
});
