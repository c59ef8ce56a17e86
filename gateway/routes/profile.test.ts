// The profile API: the owner reads the managed sections and the changes and reverts one; another
// user's token is refused (the files describe the owner); an unknown change is a 404; synthesis on
// demand without a model says which error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProfile } from '../../agent/services.ts';
import { openGateway, openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

test('profile through REST: owner only; changes listed and reverted; no model, no synthesis', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const bob = await gw.gateway.deps.tokens.create('bob');
  const { files } = startProfile(harness.kernel, gw.agent);
  const change = await files.write('SOUL.md', await files.read('SOUL.md'), '- Prefers short answers', 'onboarding');

  const view = await gw.call('GET', '/api/profile');
  assert.equal(view.status, 200);
  const soul = view.body.files.find((f: { file: string }) => f.file === 'SOUL.md');
  assert.deepEqual(soul.facts, ['Prefers short answers']);
  assert.equal(view.body.synthesis, false);

  for (const [method, route] of [
    ['GET', '/api/profile'],
    ['GET', '/api/profile/changes'],
    ['POST', `/api/profile/changes/${change?.id}/revert`],
  ] as const) {
    const refused = await gw.call(method, route, method === 'POST' ? {} : undefined, bob);
    assert.equal(refused.status, 403, `${method} ${route}`);
  }
  const { body } = await gw.call('GET', '/api/profile/changes');
  assert.equal(body.changes[0].id, change?.id);
  const reverted = await gw.call('POST', `/api/profile/changes/${change?.id}/revert`, {});
  assert.equal(reverted.body.change.reverts, change?.id);
  assert.deepEqual((await gw.call('GET', '/api/profile')).body.files.find((f: { file: string }) => f.file === 'SOUL.md').facts, []);
  assert.equal((await gw.call('POST', '/api/profile/changes/nope/revert', {})).status, 404);
  const synth = await gw.call('POST', '/api/profile/synthesize', {});
  assert.equal(synth.body.error.code, 'TITAN_E_PROVIDER_NOT_CONFIGURED');
});
