// Conversation memory stays flat: the in-memory index holds only the newest turns (memory.recentTurns),
// and older ones, kept in the store alone, are still found by search (words and meaning), cited in a
// turn's context, found after a restart, and forgotten with their thread, on both stores.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memorySection, type MemoryConfig } from '../../agent/memory/config.ts';
import { MemoryService } from '../../agent/memory/service.ts';
import { BACKENDS, lazyPostgres, openStoreKernel, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

const CONFIG: MemoryConfig = { ...memorySection.defaults, watch: false, recentTurns: 3 };
const SAID = [
  'Remember that Margaret Hamilton reviews the flight software.',
  'The staging database password rotates every Tuesday.',
  'Our billing invoices are exported to the ledger at midnight.',
  'Ken Thompson maintains the grep utility.',
  'The release train leaves on Thursdays.',
  'Barbara Liskov owns the substitution review.',
  'Frances Allen tunes the optimising compiler.',
  'The coffee machine on floor three is broken.',
];

for (const backend of BACKENDS) {
  describe(`memory over many turns: ${backend}`, () => {
    let handle: StoreKernel;
    let memory: MemoryService;
    let workspace: string;
    const threadId = `long-${backend}`;

    before(async () => {
      handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'older_turns' });
      workspace = path.join(handle.home, 'workspace');
      await mkdir(workspace, { recursive: true });
      memory = await MemoryService.open(handle.kernel, { workspace, config: CONFIG });
      const store = handle.kernel.store;
      await store.createThread({ id: threadId, userId: 'owner' });
      for (const [i, text] of SAID.entries()) {
        await store.createTurn(`turn-${i}`, threadId);
        await store.appendMessages(threadId, [
          { id: `u${i}`, role: 'user', content: text, turnId: `turn-${i}` },
          { id: `a${i}`, role: 'assistant', content: `Noted: ${text}`, turnId: `turn-${i}` },
        ]);
        await memory.indexTurn(`turn-${i}`);
      }
    });
    after(async () => {
      await memory?.close();
      await handle?.cleanup();
    });

    test('only the newest turns are held in memory; the older ones are still found', async () => {
      const held = [...memory.docs.byId.values()].filter((d) => d.kind === 'turn').map((d) => d.turnId);
      assert.deepEqual(held.sort(), ['turn-5', 'turn-6', 'turn-7']);
      assert.equal(memory.chunks?.documents, 3);
      const first = await memory.query('owner', 'who reviews the flight software');
      assert.equal(first[0].turn_id, 'turn-0');
      assert.ok(first[0].ranks.text !== undefined && first[0].ranks.vector !== undefined, 'found by words and by meaning');
      assert.equal((await memory.query('owner', 'when does the staging password rotate'))[0].turn_id, 'turn-1');
      assert.equal((await memory.query('owner', 'substitution review'))[0].turn_id, 'turn-5');
      // A word every turn has ("Noted") ranks nothing; the older turns that have it are still found.
      const noted = await memory.query('owner', 'noted', { limit: 8 });
      assert.deepEqual(
        noted.map((h) => h.turn_id).sort(),
        SAID.map((_, i) => `turn-${i}`),
      );
      // Another user never sees them.
      assert.ok((await memory.query('someone-else', 'flight software')).every((h) => h.turn_id === null));
      // Filters hold for the older ones too.
      assert.deepEqual(await memory.query('owner', 'flight software', { kinds: ['note'] }), []);
    });

    test("an older turn is cited in a turn's context by its conversation", async () => {
      const context = await memory.contextFor({ threadId, text: 'Who maintains grep?' });
      assert.match(context ?? '', new RegExp(`\\[1\\] = conversation ${threadId}, turn turn-3`));
    });

    test('after a restart the same turns are held and the older ones found', async () => {
      const again = await MemoryService.open(handle.kernel, { workspace, config: CONFIG });
      const held = [...again.docs.byId.values()].filter((d) => d.kind === 'turn').map((d) => d.turnId);
      assert.deepEqual(held.sort(), ['turn-5', 'turn-6', 'turn-7']);
      assert.equal((await again.query('owner', 'billing invoices ledger'))[0].turn_id, 'turn-2');
      assert.ok(again.graph.has('margaret hamilton'), "an older turn's entities stay in the graph");
      await again.close();
    });

    test('deleting the thread forgets the older turns too', async () => {
      await handle.kernel.store.deleteThread('owner', threadId);
      memory.forgetThreads('owner', [threadId]);
      await memory.idle();
      assert.ok((await memory.query('owner', 'flight software')).every((h) => h.turn_id === null));
      assert.equal(memory.graph.has('margaret hamilton'), false);
      assert.equal(memory.graph.has('ken thompson'), false);
    });
  });
}
