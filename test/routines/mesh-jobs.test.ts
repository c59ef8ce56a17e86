// A routine's job on a mesh peer: two nodes on loopback, node A with Docker turned off by its config
// (jobs.docker false), node B with the real engine. B advertises jobs in its heartbeat; A's job
// routine runs on B through B's sandbox scheduler (the job is in B's table, A's stays empty) and its
// output says where it ran. Once B is gone, A's job routine fails loudly with both reasons.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { Agent } from '../../agent/api.ts';
import { RoutineService, jobsHereOrOnPeers, routineJobs } from '../../agent/services.ts';
import { loadOrCreateIdentity } from '../../mesh/identity.ts';
import { Mesh } from '../../mesh/mesh.ts';
import { NO_DOCKER, jobKernel, type JobKernel } from '../jobs/support.ts';
import { until } from '../mesh/support/cluster.ts';
import { scriptedModel } from '../support/model-double.ts';
import { onTeardown } from '../support/teardown.ts';

const LOOPBACK = '/ip4/127.0.0.1/tcp/0';

async function peerId(node: JobKernel): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreateIdentity(node.kernel.paths.home)).toString();
}

async function startMesh(t: TestContext, node: JobKernel, allow: string, bootstrap: string[] = []): Promise<Mesh> {
  const mesh = await Mesh.start(node.kernel, { listen: [LOOPBACK], allowlist: [allow], bootstrap, heartbeatMs: 300, mdns: false });
  onTeardown(t, () => mesh.stop());
  return mesh;
}

test('a job routine on a node without Docker runs on the mesh peer that has it, and fails loudly once that peer is gone', {
  skip: NO_DOCKER,
  timeout: 180_000,
}, async (t) => {
  const a = await jobKernel(t, { docker: false });
  const b = await jobKernel(t);
  await b.jobs.engine.ensureImage(b.jobs.config.image, true);
  const [idA, idB] = [await peerId(a), await peerId(b)];
  const meshA = await startMesh(t, a, idB);
  const meshB = await startMesh(t, b, idA, [`${meshA.node.getMultiaddrs()[0]}`]);
  meshB.jobRuns.serveWith(routineJobs(b.jobs));
  assert.equal(meshA.jobRuns.serving, false, 'A has no Docker: it offers no jobs');
  await until('A to see B advertising jobs', () => meshA.peers().some((p) => p.id === idB && p.connected && p.jobs));
  await until('B to hear A', () => meshB.peers().some((p) => p.id === idA));
  assert.equal(meshB.peers().find((p) => p.id === idA)?.jobs, false, 'A does not advertise jobs');

  const agent = new Agent(a.kernel, { workspace: path.join(a.kernel.paths.home, 'workspace'), llm: scriptedModel([]) });
  await agent.start();
  const routines = await RoutineService.start({ kernel: a.kernel, agent, ownerId: 'ada', jobs: jobsHereOrOnPeers(routineJobs(a.jobs), meshA.jobRuns) });
  onTeardown(t, async () => {
    await routines.idle();
    await routines.close();
    await agent.close();
  });
  await a.jobs.submit('ada', { command: 'true' }).then(
    () => assert.fail('A runs no job itself'),
    (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'TITAN_E_DOCKER_UNAVAILABLE');
      assert.match(error.message, /jobs\.docker is false/);
    },
  );

  await routines.add({ name: 'tests-on-peer', cron: '0 7 * * *', job: { command: 'echo "42 tests pass"', timeoutS: 60 } });
  const run = await routines.run('tests-on-peer').done;
  assert.equal(run.outcome, 'succeeded', run.error ?? '');
  assert.match(run.output ?? '', new RegExp(`^\\[the job ran on mesh peer ${idB}\\]\\n42 tests pass`));
  const [job] = await b.jobs.list('ada');
  assert.equal(job.state, 'succeeded');
  assert.equal(job.spec.origin, `mesh:${idA}/routine:${routines.find('tests-on-peer').id}`, "B's job says which node and routine asked");
  assert.deepEqual(await a.jobs.list('ada'), [], "A's job table has none of it");

  // B leaves: no node has Docker for A any more, and the routine says so (it does not hang or run on the host).
  await meshB.stop();
  await until('A to see B gone', () => !meshA.peers().some((p) => p.id === idB));
  const failed = await routines.run('tests-on-peer').done;
  assert.equal(failed.outcome, 'failed');
  assert.match(
    failed.error ?? '',
    /^TITAN_E_ROUTINE_NO_DOCKER: the routine "tests-on-peer" runs a job, and Docker is turned off on this node by its config \(jobs\.docker is false\), and no mesh peer advertises Docker jobs/,
  );
  assert.equal((await b.jobs.list('ada')).length, 1, 'nothing more ran on B');
});
