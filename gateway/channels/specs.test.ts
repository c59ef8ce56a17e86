// Channels are known by their manifests; an installation's own built-in channel at a version from
// before manifests declared platforms still runs (its section read from the built-in's folder),
// while any other component without a section is not taken for a channel.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { BUILTIN_ROOT, publishComponent } from '../../kernel/api.ts';
import { buildComponent } from '../../toolchain/build.ts';
import { openTestKernel, TEST_CACHE } from '../../test/support/kernel.ts';
import { servingChannel } from './specs.ts';

test('an older built-in channel without a section keeps its platform; another component without one has none', async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const dir = path.join(BUILTIN_ROOT, 'channels', 'telegram');
  const built = await buildComponent(dir, { cacheDir: TEST_CACHE });
  const { channel: _section, ...older } = built.manifest;
  // As telegram@1.0.0 was published by an earlier Titan: built here from components/, no section.
  await publishComponent(kernel, { ...built, manifest: { ...older, version: '1.0.0' }, dir });
  await kernel.deploy({ kind: 'channel', name: 'telegram', range: '1.0.0' });
  assert.equal(servingChannel(kernel, 'telegram')?.title, 'Telegram');

  // The same bytes under another name: no built-in of that name declares a platform for it.
  await publishComponent(kernel, { ...built, manifest: { ...older, name: 'copycat', version: '1.0.0' } });
  await kernel.deploy({ kind: 'channel', name: 'copycat', range: '1.0.0' });
  assert.equal(servingChannel(kernel, 'copycat'), undefined);
});
