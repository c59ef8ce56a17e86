// The store's channel operations, on the embedded libSQL file and on PostgreSQL: a platform event
// is handled once, a sender is paired by code, and a polling channel's cursor survives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { BACKENDS, lazyPostgres, openStoreKernel, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

for (const backend of BACKENDS) {
  describe(`channel store operations: ${backend}`, () => {
    let handle: StoreKernel;
    let kernel: Kernel;
    before(async () => {
      handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'channels' });
      kernel = handle.kernel;
    });
    after(() => handle?.cleanup());

    test('an event id is claimed once per channel; the same id on another channel is another event', async () => {
      const claim = (channel: string, eventId: string) => kernel.store.op('channels.event.claim', { channel, eventId });
      assert.deepEqual(await claim('telegram', 'update:1'), { claimed: true });
      assert.deepEqual(await claim('telegram', 'update:1'), { claimed: false });
      assert.deepEqual(await claim('slack', 'update:1'), { claimed: true });
    });

    test('a pairing opens once with its first code, is decided by code, and an unknown code changes nothing', async () => {
      const open = (code: string) => kernel.store.op('channels.pairing.open', { channel: 'telegram', senderId: '42', chatId: '42', senderName: 'Ada', code });
      assert.equal((await open('ABC123')).code, 'ABC123');
      assert.equal((await open('ZZZ999')).code, 'ABC123', 'a second message keeps the first code');
      await assert.rejects(kernel.store.op('channels.pairing.decide', { code: 'NOPE00', decision: 'approved' }), (e) => isTitanError(e, 'TITAN_E_NOT_FOUND'));
      const pending = await kernel.store.op('channels.pairing.list', { state: 'pending' });
      assert.deepEqual(
        pending.map((p) => p.code),
        ['ABC123'],
      );
      const approved = await kernel.store.op('channels.pairing.decide', { code: 'abc123', decision: 'approved' });
      assert.equal(approved.state, 'approved');
      await assert.rejects(
        kernel.store.op('channels.pairing.decide', { code: 'ABC123', decision: 'denied' }),
        (e) => isTitanError(e, 'TITAN_E_NOT_FOUND'),
        'a decided pairing is not decided again',
      );
      await assert.rejects(
        kernel.store.op('channels.pairing.open', { channel: 'slack', senderId: 'U1', chatId: 'D1', code: 'ABC123' }),
        (e) => isTitanError(e, 'TITAN_E_SQL_CONSTRAINT'),
        'codes are unique',
      );
    });

    test('a cursor is read back after it is set', async () => {
      assert.deepEqual(await kernel.store.op('channels.cursor.get', { channel: 'telegram' }), { value: null });
      await kernel.store.op('channels.cursor.set', { channel: 'telegram', value: '17' });
      await kernel.store.op('channels.cursor.set', { channel: 'telegram', value: '18' });
      assert.deepEqual(await kernel.store.op('channels.cursor.get', { channel: 'telegram' }), { value: '18' });
    });
  });
}
