// `titan pairing` without a running kernel: it opens the home's kernel for the command alone,
// as `titan kernel ...` does, and the decision is in the store for the next start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kernel, bootstrapBuiltins } from '../../kernel/api.ts';
import { openPairing, getPairing } from '../../agent/pairing.ts';
import { runTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

test('titan pairing list and approve work on a stopped kernel; a malformed code is a usage error', async (t) => {
  const { home, cleanup } = await tempHome();
  let kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
  const pairing = await openPairing(kernel.store, { channel: 'whatsapp', senderId: '15550001111', chatId: '15550001111', senderName: 'Grace' });
  await kernel.close();

  const listed = await runTitan(['pairing', 'list'], home);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${pairing.code}\\s+whatsapp\\s+15550001111\\s+Grace\\s+pending`));
  const bad = await runTitan(['pairing', 'approve', 'nope'], home);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr + bad.stdout, /TITAN_E_USAGE/);
  const approved = await runTitan(['pairing', 'approve', pairing.code.toLowerCase()], home);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /approved whatsapp sender 15550001111 \(Grace\)/);

  kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  // The kernel closes before its home is removed (hooks run in the order they are added).
  t.after(async () => {
    await kernel.close();
    await cleanup();
  });
  await kernel.restoreDeployments();
  assert.equal((await getPairing(kernel.store, 'whatsapp', '15550001111'))?.state, 'approved');
});
