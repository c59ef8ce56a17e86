// Schema migrations as a user meets them: a database written by today's store is brought to the
// next schema version by deploying a newer store (today's plus one migration) through the patch
// queue, with its data intact; a store older than the database is refused and the serving one
// keeps working; a corrupt libSQL file is reported, never touched.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { publishComponent } from '../../kernel/api.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import { Kernel } from '../../kernel/kernel.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import { buildComponent, type BuiltComponent } from '../../toolchain/build.ts';
import { forcePublish, rejectsWithCode, serving } from '../support/fixtures.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { BACKENDS, LATEST_SCHEMA, lazyPostgres, openStoreKernel, tableCounts } from '../support/store.ts';

const CORE = fileURLToPath(new URL('../../components/stores/core/', import.meta.url));
const STORE = { kind: 'store' as const, name: 'core' };

const postgres = lazyPostgres();
const scratch: string[] = [];
after(async () => {
  await postgres.stop();
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

const LATEST = LATEST_SCHEMA;
const NEXT = LATEST + 1;
/** Today's store version, the next one (one more migration) and a broken build of the next. */
const CURRENT_VERSION = (JSON.parse(readFileSync(path.join(CORE, 'component.json'), 'utf8')) as { version: string }).version;
const NEXT_VERSION = semver.inc(CURRENT_VERSION, 'minor')!;
const BROKEN_VERSION = semver.inc(NEXT_VERSION, 'patch')!;

/**
 * The next store: today's folder with one more, additive migration (a new table), as NEXT_VERSION. Built
 * from today's code so the test never depends on how the store's queries looked in the past.
 */
async function buildNextStore(): Promise<BuiltComponent> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-core-next-'));
  scratch.push(dir);
  await cp(CORE, dir, { recursive: true });
  const file = path.join(dir, 'migrations.js');
  const source = await readFile(file, 'utf8');
  const marker = `/* end migration ${LATEST} */,`;
  assert.ok(source.includes(marker), `components/stores/core/migrations.js ends migration ${LATEST} with ${marker}`);
  const next = source.replace(
    marker,
    `${marker}
  /* migration ${NEXT} */ {
    version: ${NEXT},
    additive: true,
    name: 'upgrade probe',
    tables: ['upgrade_probe'],
    up: () => ['CREATE TABLE upgrade_probe (id TEXT PRIMARY KEY)'],
  } /* end migration ${NEXT} */,`,
  );
  await writeFile(file, next);
  const manifest = JSON.parse(await readFile(path.join(dir, 'component.json'), 'utf8')) as { version: string };
  await writeFile(path.join(dir, 'component.json'), JSON.stringify({ ...manifest, version: NEXT_VERSION }, null, 2));
  return buildComponent(dir, { cacheDir: TEST_CACHE });
}

let current: Promise<BuiltComponent> | undefined;
let nextStore: Promise<BuiltComponent> | undefined;
const currentStore = () => (current ??= buildComponent(CORE, { cacheDir: TEST_CACHE }));
const newerStore = () => (nextStore ??= buildNextStore());

/** What a user would see of their data: threads, messages, settings and approvals. */
async function userData(store: StoreClient) {
  const data: Record<string, unknown> = {};
  for (const userId of ['mig-ann', 'mig-ben']) {
    const threads = await store.listThreads({ userId });
    data[`threads ${userId}`] = threads;
    data[`settings ${userId}`] = await store.op('settings.list', { userId });
    for (const thread of threads) data[`messages ${thread.id}`] = await store.listMessages(thread.id, 1000);
  }
  data.pending = await store.op('approvals.pending');
  return data;
}

for (const backend of BACKENDS) {
  test(`${backend}: a database with data migrates to the next schema version through the patch queue; a store older than the database is refused`, async (t) => {
    const handle = await openStoreKernel(backend, {
      postgres: backend === 'postgres' ? await postgres.server() : undefined,
      name: 'migration',
      bootstrap: false,
    });
    t.after(() => handle.cleanup());
    const { kernel } = handle;
    const store = kernel.store;

    // An install made by today's store.
    const v10 = await publishComponent(kernel, await currentStore());
    await kernel.deployManifest(v10);
    const old = await store.status();
    assert.deepEqual([old.version, old.latest, old.applied.map((m) => m.version)], [LATEST, LATEST, Array.from({ length: LATEST }, (_, i) => i + 1)]);
    assert.ok(!(await store.op('tables.list')).includes('upgrade_probe'));

    for (const [userId, threads] of [
      ['mig-ann', 3],
      ['mig-ben', 2],
    ] as const) {
      for (let n = 0; n < threads; n++) {
        const id = `${userId}-t${n}`;
        await store.createThread({ id, userId, title: `${userId} thread ${n}`, channel: 'web', externalId: id });
        await store.appendMessages(
          id,
          Array.from({ length: 40 }, (_, i) => ({ id: `${id}-m${i}`, role: i % 2 ? 'assistant' : 'user', content: `${id} says ${i} ✓` })),
        );
        await store.createTurn(`${id}-turn`, id);
        await store.op('approvals.create', { id: `${id}-approval`, turnId: `${id}-turn`, summary: 'send mail', expiresAt: Date.now() + 3600_000 });
      }
      await store.op('settings.set', { userId, key: 'model', value: `${userId}-model` });
    }
    const before = await userData(store);
    const countsBefore = await tableCounts(store);

    // Upgrade: publish the next version and take it through propose -> approve -> deploy.
    const v11 = await publishComponent(kernel, await newerStore());
    const progress: Array<{ step: number; of: number; version: number }> = [];
    kernel.bus.on('component.event', (event: KernelEvents['component.event']) => {
      if (event.slot === 'store/core' && event.kind === 'progress') progress.push(JSON.parse(event.data));
    });
    const upgrade = await kernel.proposePatch({ ...STORE, range: NEXT_VERSION }, { by: 'ops', why: 'probe table' });
    assert.deepEqual([upgrade.fromVersion, upgrade.toVersion, upgrade.toDigest], [CURRENT_VERSION, NEXT_VERSION, v11.digest]);
    assert.equal(kernel.patches.get(upgrade.id).verification?.passed, true, 'the recorded calls replay the same on the new store');
    await kernel.approvePatch(upgrade.id, { by: 'owner' });
    const deployed = await kernel.deployPatch(upgrade.id, { by: 'ops' });
    assert.equal(deployed.state, 'deployed');
    assert.equal(serving(kernel)['store/core'], NEXT_VERSION);

    const migrated = await store.status();
    assert.deepEqual([migrated.version, migrated.latest, migrated.pending], [NEXT, NEXT, []]);
    assert.deepEqual(
      migrated.applied.map((m) => m.version),
      [...old.applied.map((m) => m.version), NEXT],
    );
    assert.deepEqual(migrated.applied.slice(0, LATEST), old.applied, 'the earlier migrations were not run again');
    assert.deepEqual(
      progress.map((p) => [p.step, p.of, p.version]),
      [[1, 1, NEXT]],
      'exactly one migration ran, with a progress line',
    );

    assert.deepEqual(await userData(store), before, 'every thread, message, setting and approval reads back as it was');
    const countsAfter = await tableCounts(store);
    const added = Object.keys(countsAfter).filter((table) => !(table in countsBefore));
    assert.deepEqual(added, ['upgrade_probe'], 'the new migration added its table');
    assert.deepEqual(
      countsAfter,
      { ...countsBefore, component_patches: 1, patch_history: 3, ...Object.fromEntries(added.map((table) => [table, 0])) },
      'the new tables are there and empty; the only new rows are the patch and its three steps',
    );
    const patches = await store.op('patches.list');
    assert.deepEqual(
      patches.map((p) => [p.id, p.state]),
      [[upgrade.id, 'deployed']],
      'the patch and its history live in the migrated store',
    );
    assert.deepEqual(await store.appendMessages('mig-ann-t0', [{ id: 'mig-after-upgrade', role: 'user', content: 'new' }]), { appended: 1, duplicates: 0 });

    // A database with a newer migration that is not additive: an older store is refused at migrate,
    // the patch is marked failed with the reason, and the next version keeps serving.
    await kernel.db.run('INSERT INTO schema_migrations (version, name, applied_at, additive) VALUES (?, ?, ?, ?)', [
      NEXT + 1,
      'a breaking change',
      Date.now(),
      0,
    ]);
    const downgrade = await kernel.proposePatch({ ...STORE, range: CURRENT_VERSION }, { by: 'ops', why: 'try the old one' });
    await kernel.approvePatch(downgrade.id, { by: 'owner' });
    const refused = await rejectsWithCode(kernel.deployPatch(downgrade.id, { by: 'ops' }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(
      refused.message,
      new RegExp(
        `database is at schema version ${NEXT + 1}, newer than this store's ${LATEST}, and migration ${NEXT + 1} \\(a breaking change\\) is not additive`,
      ),
    );
    const failed = kernel.patches.get(downgrade.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', new RegExp(`newer than this store's ${LATEST}`));
    // Rolling the upgrade back would put the older store on that database too: refused the same way.
    await rejectsWithCode(kernel.rollbackPatch(upgrade.id, { by: 'ops' }), 'TITAN_E_COMPONENT_ERROR');
    assert.equal(kernel.patches.get(upgrade.id).state, 'deployed');
    await kernel.db.run('DELETE FROM schema_migrations WHERE version = ?', [NEXT + 1]);

    assert.equal(serving(kernel)['store/core'], NEXT_VERSION);
    assert.equal((await store.status()).version, NEXT);
    // The new migration only added a table: rolling the upgrade back puts today's store on the newer database, and it serves.
    assert.equal((await kernel.rollbackPatch(upgrade.id, { by: 'ops' })).state, 'rolled_back');
    assert.equal(serving(kernel)['store/core'], CURRENT_VERSION);
    assert.deepEqual(
      (await store.listMessages('mig-ann-t0', 1)).map((m) => m.id),
      ['mig-after-upgrade'],
    );
    assert.deepEqual(await store.appendMessages('mig-ann-t0', [{ id: 'mig-after-refusal', role: 'user', content: 'still served' }]), {
      appended: 1,
      duplicates: 0,
    });
  });
}

test('libsql: an upgrade that migrates and then fails its smoke test leaves the old store serving, also after a restart', {}, async (t) => {
  const handle = await openStoreKernel('libsql', { bootstrap: false });
  t.after(() => handle.cleanup());
  await handle.kernel.deployManifest(await publishComponent(handle.kernel, await currentStore()));
  await handle.kernel.store.createThread({ id: 'fail-up', userId: 'fail-user', title: 'kept' });
  // The next version's code with a smoke case it cannot pass, put in the registry past the kernel's checks.
  const built = await newerStore();
  const broken = await forcePublish(handle.kernel, built, (input) => ({
    ...input,
    version: BROKEN_VERSION,
    smoke: [{ function: 'request', args: ['schema.status', '{}'], expect: 'an answer no store gives' }],
  }));
  await rejectsWithCode(handle.kernel.deployManifest(broken), 'TITAN_E_SMOKE_FAILED');
  assert.equal(serving(handle.kernel)['store/core'], CURRENT_VERSION);
  assert.equal((await handle.kernel.store.op('threads.get', { userId: 'fail-user', threadId: 'fail-up' })).title, 'kept');

  const kernel = await handle.restart();
  assert.equal(serving(kernel)['store/core'], CURRENT_VERSION, 'the version that served before the restart serves after it');
  assert.equal((await kernel.store.op('threads.get', { userId: 'fail-user', threadId: 'fail-up' })).title, 'kept');
});

test('libsql: a corrupt database file is reported with its path and what to do, and left byte for byte as it was', async (t) => {
  const { home, cleanup } = await tempHome('titan-corrupt-');
  t.after(cleanup);
  const file = path.join(home, 'titan.db');
  const garbage = Buffer.concat([
    Buffer.from('this was titan.db before the disk hiccup\n'),
    createHash('sha512').update('seed').digest(),
    Buffer.alloc(32768, 0xa5),
  ]);
  await writeFile(file, garbage);

  const error = await rejectsWithCode(Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} }), 'TITAN_E_DB_CORRUPT');
  assert.ok(error.message.includes(file), `the error names the file: ${error.message}`);
  const fix = (error as unknown as { fix?: string }).fix ?? '';
  assert.ok(fix.includes(`mv ${file}`) && /titan db export/.test(fix), `the error says what to do: ${fix}`);
  assert.deepEqual(await readFile(file), garbage, 'the file is unchanged');
  assert.deepEqual(
    (await readdir(home)).filter((f) => f.startsWith('titan.db')),
    ['titan.db'],
    'no journal or WAL file was created beside it',
  );
});

test('libsql: a store that uses a table no migration creates fails when it is deployed, with a clear message', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-core-ghost-'));
  scratch.push(dir);
  await cp(CORE, dir, { recursive: true });
  const file = path.join(dir, 'migrations.js');
  const source = await readFile(file, 'utf8');
  const ghostly = source.replace("tables: ['memory_documents', 'memory_chunks'],", "tables: ['memory_documents', 'memory_chunks', 'memory_ghosts'],");
  assert.notEqual(ghostly, source, 'migration 4 lists its tables as expected');
  await writeFile(file, ghostly);
  const handle = await openStoreKernel('libsql', { bootstrap: false });
  t.after(() => handle.cleanup());
  const built = await buildComponent(dir, { cacheDir: TEST_CACHE });
  const published = await publishComponent(handle.kernel, built);
  const refused = await rejectsWithCode(handle.kernel.deployManifest(published), 'TITAN_E_COMPONENT_ERROR');
  assert.match(refused.message, /no migration creates table memory_ghosts/);
  assert.equal(serving(handle.kernel)['store/core'], undefined, 'nothing serves in the slot');
});
