import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { onTeardown } from './teardown.ts';

test('teardown runs in reverse order of set-up, and a failing step stops none of the others', async () => {
  const hooks: Array<() => Promise<void>> = [];
  const t = { after: (fn: () => Promise<void>) => hooks.push(fn) } as unknown as TestContext;
  const ran: string[] = [];
  onTeardown(t, () => ran.push('kernel closed'));
  onTeardown(t, async () => {
    ran.push('agent closed');
    throw new Error('agent close failed');
  });
  onTeardown(t, () => ran.push('routines closed'));
  assert.equal(hooks.length, 1, 'one hook on the test, whatever the number of steps');
  await assert.rejects(hooks[0](), /agent close failed/);
  assert.deepEqual(ran, ['routines closed', 'agent closed', 'kernel closed']);
});
