// The goals and profile routes start what they serve (the control plane, the profile) at their own
// first request: a request to another /api route starts neither, so it does not lend the model the
// goal tools nor take the profile `titan start` would synthesise into.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProfile } from '../../agent/services.ts';
import { PURSUE } from '../../agent/autonomy/tools.ts';
import type { ProfileModel } from '../../agent/profile/synthesis.ts';
import { openGateway, openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

const toolNames = async (agent: { tools: { list(): Promise<Array<{ name: string }>> } }) => (await agent.tools.list()).map((t) => t.name);

test('a request to another /api route starts neither the goals control plane nor the profile', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  // Routes mounted before and after theirs.
  for (const route of ['/api/threads', '/api/usage', '/api/providers']) assert.equal((await gw.call('GET', route)).status, 200, route);
  assert.ok(!(await toolNames(gw.agent)).includes(PURSUE), 'no goal tools lent to the model');
  // The profile is one per agent: had the gateway started it, this one would come back without synthesis.
  const model: ProfileModel = async function* () {};
  const profile = startProfile(harness.kernel, gw.agent, model);
  t.after(() => profile.close());
  assert.notEqual(profile.synthesis, undefined, 'the profile was not started by the gateway');

  assert.equal((await gw.call('GET', '/api/goals')).status, 200);
  assert.ok((await toolNames(gw.agent)).includes(PURSUE), 'the goals route lends the goal tools');
});
