// `titan reflex list|show|suspend|resume|delete`, through a running kernel's control socket and
// on the store of a stopped one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createControlApp } from '../../gateway/app.ts';
import { claimControlSocket } from '../../gateway/control-socket.ts';
import { closeDeps, gatewayDeps } from '../../gateway/server.ts';
import { runTitan } from '../support/cli.ts';
import { learnWeather, reflexHarness } from './harness.ts';
import { INTENTS } from './support.ts';

test('titan reflex: list, show, suspend and resume on the running kernel; list and delete on a stopped one', async (t) => {
  const h = await reflexHarness(t);
  await learnWeather(h, (await h.agent.createThread('ada')).id, INTENTS[0]);
  const [record] = h.reflexes.list();
  // The gateway's route table on the control socket, as `titan start` serves it.
  const deps = await gatewayDeps({ kernel: h.kernel, agent: h.agent, ownerId: 'ada' });
  const server = await claimControlSocket(h.kernel.paths.controlSocket);
  server.serve(createControlApp(deps).callback());
  try {
    const list = await runTitan(['reflex', 'list'], h.home);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${record.name}\\s+1\\.0\\.0\\s+serving`));
    assert.match(list.stdout, /shadow workers: off \(no background model configured/);
    const show = await runTitan(['reflex', 'show', record.name], h.home);
    assert.match(show.stdout, /phrasings:\n {2}weather in \{city\}/);
    assert.match(show.stdout, /tools: weather/);
    const suspended = await runTitan(['reflex', 'suspend', record.name, '--why', 'checking it', '--json'], h.home);
    assert.equal(JSON.parse(suspended.stdout).state, 'suspended');
    assert.equal(h.reflexes.get(record.name).reason, 'checking it');
    const again = await runTitan(['reflex', 'suspend', record.name], h.home);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr + again.stdout, /TITAN_E_REFLEX_STATE/);
    const resumed = await runTitan(['reflex', 'resume', record.name], h.home);
    assert.match(resumed.stdout, /serving/);
    const unknown = await runTitan(['reflex', 'show', 'no-such-reflex'], h.home);
    assert.match(unknown.stderr + unknown.stdout, /TITAN_E_REFLEX_NOT_FOUND/);
  } finally {
    await server.close();
    closeDeps(deps);
  }
  await h.reflexes.close();
  await h.agent.close();
  await h.kernel.close();
  const offline = JSON.parse((await runTitan(['reflex', 'list', '--json'], h.home)).stdout);
  assert.deepEqual(
    offline.map((r: { name: string; state: string; hits: number }) => [r.name, r.state]),
    [[record.name, 'serving']],
  );
  const deleted = await runTitan(['reflex', 'delete', record.name], h.home);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /deleted/);
  assert.match((await runTitan(['reflex', 'list'], h.home)).stdout, /no reflexes yet/);
});
