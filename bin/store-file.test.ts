// Reads on a stopped home from the store file (no kernel): what they answer is what the kernel's
// store answered, and each case the file cannot speak for is left to a kernel (undefined).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openLibsqlReader } from '../host-api/db/libsql-backend.ts';
import { openStoreKernel, type StoreKernel } from '../test/support/store.ts';
import { openStoreFile } from './store-file.ts';

let stored: StoreKernel;
const saved = { home: process.env.TITAN_HOME, url: process.env.TITAN_DB_URL };

before(async () => {
  stored = await openStoreKernel('libsql');
  await stored.kernel.store.op('channels.pairing.open', { channel: 'telegram', senderId: '42', chatId: '42', senderName: 'Ada', code: 'ABCD2345' });
  process.env.TITAN_HOME = stored.home;
  delete process.env.TITAN_DB_URL;
});

after(async () => {
  await stored.cleanup();
  for (const [name, value] of [
    ['TITAN_HOME', saved.home],
    ['TITAN_DB_URL', saved.url],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

test('on a stopped home the store file answers the reads as the kernel did, and leaves the rest', async () => {
  const status = await stored.kernel.store.status();
  const pairings = await stored.kernel.store.op('channels.pairing.list');
  await stored.kernel.close();
  const file = await openStoreFile();
  assert.ok(file, 'the built-in store on the libSQL file, schema current: readable');
  try {
    assert.deepEqual(await file.answer('/api/db'), { ...status, location: path.join(stored.home, 'titan.db'), store: 'store/core' });
    assert.deepEqual(await file.answer('/api/pairings'), { pairings });
    assert.deepEqual(await file.answer('/api/pairings?state=approved'), { pairings: [] });
    assert.deepEqual(await file.answer('/api/patches?state=deployed'), { patches: [] });
    assert.deepEqual(await file.answer('/api/reflexes'), { enabled: true, reflexes: [] });
    assert.equal(await file.answer('/api/mesh'), undefined, 'a route it does not know goes to a kernel');
  } finally {
    file.close();
  }
});

test('another store, a PostgreSQL database or a pending migration are left to a kernel', async () => {
  const deployments = path.join(stored.home, 'deployments.json');
  const original = await readFile(deployments, 'utf8');
  const other = JSON.parse(original) as Record<string, { version: string }>;
  other['store/core'].version = '0.0.1';
  await writeFile(deployments, JSON.stringify(other));
  assert.equal(await openStoreFile(), undefined, 'a store version other than this package source');
  await writeFile(deployments, original);

  process.env.TITAN_DB_URL = 'postgres://titan@127.0.0.1:1/titan';
  assert.equal(await openStoreFile(), undefined, 'not a libSQL file: nothing is connected to');
  delete process.env.TITAN_DB_URL;

  // The last migration undone by hand: the kernel is the one to run it; looking changes nothing.
  const db = path.join(stored.home, 'titan.db');
  const { default: Database } = await import('libsql');
  const writer = new Database(db);
  writer.prepare('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)').run();
  writer.close();
  const applied = () => {
    const reader = openLibsqlReader(db);
    try {
      return reader.execute('SELECT COUNT(*) AS n FROM schema_migrations', []).rows[0][0];
    } finally {
      reader.close();
    }
  };
  const before = applied();
  assert.equal(await openStoreFile(), undefined, 'a migration pending');
  assert.equal(applied(), before);
});
