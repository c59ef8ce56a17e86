// A PostgreSQL server that goes away under a running kernel: a write is retried, then fails with a
// coded error and a visible 'kernel.warning' event - never silently - and nothing half-written is
// left behind; once the server is back, the next write goes through on the same kernel.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { openStoreKernel, PostgresServer, tableCounts, type StoreKernel } from '../support/store.ts';

let postgres: PostgresServer;
let handle: StoreKernel;

before(async () => {
  postgres = await PostgresServer.start();
  handle = await openStoreKernel('postgres', { postgres, name: 'durability' });
});
after(async () => {
  await handle?.cleanup();
  await postgres?.stop();
});

test('postgres: with the server down an append fails after its retries with a coded error and a warning event; with it back the next append lands', async () => {
  const store = handle.kernel.store;
  await store.createThread({ id: 'dur', userId: 'dur-user' });
  await store.appendMessages('dur', [{ id: 'dur-1', role: 'user', content: 'before the outage' }]);
  const warnings: Array<KernelEvents['kernel.warning']> = [];
  handle.kernel.bus.on('kernel.warning', (warning) => warnings.push(warning));

  await postgres.stopServer();
  try {
    const failed = await rejectsWithCode(store.appendMessages('dur', [{ id: 'dur-2', role: 'user', content: 'during the outage' }]), 'TITAN_E_WRITE_FAILED');
    assert.match(failed.message, /^messages\.append: /);
    assert.equal(warnings.length, 1, `one warning for the one failed write: ${JSON.stringify(warnings)}`);
    assert.match(warnings[0].message, /failed after 5 attempts/);
    // A read fails visibly too (the database is unavailable) rather than answering with nothing.
    const unread = await rejectsWithCode(store.listMessages('dur'), 'TITAN_E_DB_UNAVAILABLE');
    assert.match(unread.message, /^messages\.list: connection: /);
    assert.equal(warnings.length, 2);
  } finally {
    await postgres.startServer();
  }

  // The same kernel, the same pool: the message the user retries now lands, once, after the first.
  assert.deepEqual(await store.appendMessages('dur', [{ id: 'dur-2', role: 'user', content: 'during the outage' }]), { appended: 1, duplicates: 0 });
  assert.deepEqual(
    (await store.listMessages('dur')).map((m) => [m.id, m.content]),
    [
      ['dur-1', 'before the outage'],
      ['dur-2', 'during the outage'],
    ],
  );
  assert.deepEqual(await tableCounts(store).then((c) => [c.threads, c.messages]), [1, 2], 'nothing of the failed append was half-written');
  assert.equal(warnings.length, 2, 'no further warnings once the server is back');
});

test('postgres: an explicit transaction (deciding an approval) with the server down fails with a coded error and a warning, and works once it is back', async () => {
  const store = handle.kernel.store;
  await store.createThread({ id: 'dur-tx', userId: 'dur-user' });
  await store.createTurn('dur-tx-turn', 'dur-tx');
  await store.op('approvals.create', { id: 'dur-tx-approval', turnId: 'dur-tx-turn', summary: 'decide me', expiresAt: Date.now() + 3600_000 });
  const warnings: Array<KernelEvents['kernel.warning']> = [];
  handle.kernel.bus.on('kernel.warning', (warning) => warnings.push(warning));

  // approvals.decide runs begin, queries and commit on one connection (titan:host/sql transactions).
  await postgres.stopServer();
  try {
    await rejectsWithCode(store.op('approvals.decide', { id: 'dur-tx-approval', decision: 'approved', by: 'dur-user' }), 'TITAN_E_WRITE_FAILED');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0].message, /\(begin\)/);
  } finally {
    await postgres.startServer();
  }
  const decided = await store.op('approvals.decide', { id: 'dur-tx-approval', decision: 'approved', by: 'dur-user' });
  assert.deepEqual([decided.status, decided.decided_by], ['approved', 'dur-user']);
});
