// Workspace memory on both stores, as a user meets it: notes indexed (binary and huge files skipped
// with a reason), hybrid search with filters, the graph's neighbourhood with citations, the context
// a turn is offered, a conversation remembered and forgotten with its thread, a failing embeddings
// provider replaced by the local embedder for the whole run, and the indexes reloaded after a restart.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { memorySection, type MemoryConfig } from '../../agent/memory/config.ts';
import { MemoryService } from '../../agent/memory/service.ts';
import type { ProviderConfig } from '../../agent/llm/provider-client.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { BACKENDS, lazyPostgres, openStoreKernel, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

const CONFIG: MemoryConfig = { ...memorySection.defaults, watch: false };

async function workspace(home: string): Promise<string> {
  const dir = path.join(home, 'workspace');
  await mkdir(path.join(dir, 'notes'), { recursive: true });
  await mkdir(path.join(dir, 'memory'), { recursive: true });
  await writeFile(path.join(dir, 'USER.md'), '# User\nThe user is Grace Hopper, who works on the billing service.\n');
  await writeFile(
    path.join(dir, 'notes/deploy.md'),
    '# Deploy\nRun the deploy script from the ops folder.\n\n## Config\nAda Lovelace changed `parseConfig` in src/config.ts to read YAML. The loader calls parseConfig() at start.\n',
  );
  await writeFile(path.join(dir, 'memory/2026-12-01.md'), 'Met with Linus Torvalds about the kernel mailing list.\n');
  await writeFile(path.join(dir, 'notes/logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
  await writeFile(path.join(dir, 'notes/huge.txt'), 'x'.repeat(CONFIG.maxFileBytes + 1));
  return dir;
}

for (const backend of BACKENDS) {
  describe(`memory: ${backend}`, () => {
    let handle: StoreKernel;
    let dir: string;
    let memory: MemoryService;

    before(async () => {
      handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'memory' });
      dir = await workspace(handle.home);
      memory = await MemoryService.open(handle.kernel, { workspace: dir, config: CONFIG });
    });
    after(async () => {
      await memory?.close();
      await handle?.cleanup();
    });

    test('the workspace is indexed; binary and huge files are skipped with a reason', async () => {
      const report = await memory.index();
      assert.equal(report.indexed, 3);
      assert.equal(report.embedder, 'local');
      const status = await memory.status();
      assert.deepEqual(status.documents, { daily: 1, identity: 1, note: 1 });
      assert.deepEqual(
        status.skippedFiles.map((s) => [s.path, s.reason]),
        [
          ['notes/huge.txt', `larger than ${CONFIG.maxFileBytes} bytes`],
          ['notes/logo.png', 'binary (not UTF-8 text)'],
        ],
      );
      assert.equal(status.vectorSearch, 'host');
      // Nothing changed: nothing is indexed again.
      assert.equal((await memory.index()).indexed, 0);
    });

    test('hybrid search finds by words and by meaning, filtered by kind and path', async () => {
      const hits = await memory.query('owner', 'how do I deploy?');
      assert.equal(hits[0].path, 'notes/deploy.md');
      assert.ok(hits[0].ranks.text !== undefined && hits[0].ranks.vector !== undefined);
      const daily = await memory.query('owner', 'kernel mailing list', { kinds: ['daily'] });
      assert.deepEqual([...new Set(daily.map((h) => h.path))], ['memory/2026-12-01.md']);
      const notes = await memory.query('owner', 'kernel mailing list', { pathPrefix: 'notes/' });
      assert.ok(notes.every((h) => h.path.startsWith('notes/')));
      await rejectsWithCode(memory.query('owner', 'x'.repeat(2001)), 'TITAN_E_MEMORY_QUERY_TOO_LONG');
    });

    test('the graph links what a note states, with its citation, and the turn is offered it', async () => {
      const { hits } = memory.neighbourhood(['parseConfig'], 2);
      const ada = hits.find((h) => h.id === 'ada lovelace');
      assert.equal(ada?.via?.type, 'changed');
      assert.deepEqual(ada?.sources, ['notes/deploy.md']);
      const thread = await handle.kernel.store.createThread({ id: `t-${backend}`, userId: 'owner' });
      const context = await memory.contextFor({ threadId: thread.id, text: 'Who changed parseConfig?' });
      assert.match(context ?? '', /Ada Lovelace/);
      assert.match(context ?? '', /\[1\] = notes\/deploy\.md/);
    });

    test('a conversation is remembered, and forgotten with its thread', async () => {
      const store = handle.kernel.store;
      const threadId = `chat-${backend}`;
      await store.createThread({ id: threadId, userId: 'owner' });
      await store.createTurn('turn-1', threadId);
      await store.appendMessages(threadId, [
        { id: 'm1', role: 'user', content: 'Remember that Margaret Hamilton reviews the flight software.', turnId: 'turn-1' },
        { id: 'm2', role: 'assistant', content: 'Noted: Margaret Hamilton reviews the flight software.', turnId: 'turn-1' },
      ]);
      await memory.indexTurn('turn-1');
      const hits = await memory.query('owner', 'who reviews the flight software');
      assert.equal(hits[0].turn_id, 'turn-1');
      // Another user never sees it.
      assert.ok((await memory.query('someone-else', 'flight software')).every((h) => h.turn_id === null));
      assert.ok(memory.graph.has('margaret hamilton'));
      await store.deleteThread('owner', threadId);
      memory.forgetThreads('owner', [threadId]);
      assert.ok((await memory.query('owner', 'flight software')).every((h) => h.turn_id !== 'turn-1'));
      assert.equal(memory.graph.has('margaret hamilton'), false);
      assert.equal(
        (await store.op('memory.entities.list')).some((e) => e.id === 'margaret hamilton'),
        false,
      );
    });

    test('forget PATH and forget ENTITY', async () => {
      await memory.forget('memory/2026-12-01.md');
      assert.ok((await memory.query('owner', 'kernel mailing list')).every((h) => h.path !== 'memory/2026-12-01.md'));
      // The file stays on disk; the next pass leaves it out until it changes.
      await memory.index();
      assert.ok((await memory.query('owner', 'kernel mailing list')).every((h) => h.path !== 'memory/2026-12-01.md'));
      assert.ok((await memory.status()).skippedFiles.some((f) => f.path === 'memory/2026-12-01.md' && /forgotten/.test(f.reason)));
      await memory.forget('Grace Hopper');
      assert.equal(memory.graph.has('grace hopper'), false);
      await rejectsWithCode(memory.forget('nobody at all'), 'TITAN_E_NOT_FOUND');
    });

    test('after a restart the graph and the vectors are loaded from the store (its own vector index when asked for)', async () => {
      const again = await MemoryService.open(handle.kernel, { workspace: dir, config: { ...CONFIG, vectorIndex: 'store' } });
      // pgvector is not installed here: PostgreSQL's vectors are scored on the host.
      assert.equal(again.mode, backend === 'libsql' ? 'libsql' : 'host');
      assert.deepEqual(
        again.neighbourhood(['parseConfig']).hits.map((h) => h.id),
        memory.neighbourhood(['parseConfig']).hits.map((h) => h.id),
      );
      assert.equal((await again.query('owner', 'how do I deploy?'))[0].path, 'notes/deploy.md');
      await again.close();
    });

    test('the memory tools reach memory through titan:host/memory, each as granted', async () => {
      memory.start(handle.kernel);
      await memory.idle();
      const call = async (tool: string, input: object) => JSON.parse((await handle.kernel.call('tool', tool, 'invoke', [JSON.stringify(input)])) as string);
      const found = await call('memory-search', { query: 'how do I deploy?', limit: 3 });
      assert.equal(found.results[0].path, 'notes/deploy.md');
      const doc = await call('memory-read', { path: 'notes/deploy.md' });
      assert.match(doc.content, /deploy script/);
      assert.ok(doc.keywords.includes('deploy'));
      const graph = await call('memory-graph', { entities: ['parseConfig'], hops: 2 });
      assert.ok(graph.related.some((r: { id: string }) => r.id === 'ada lovelace'));
      const written = await call('memory-write', { path: 'memory/2026-12-05.md', content: 'Barbara Liskov approved the substitution principle review.' });
      assert.equal(written.indexed, true);
      assert.equal((await call('memory-search', { query: 'substitution principle', limit: 1 })).results[0].path, 'memory/2026-12-05.md');
      await assert.rejects(call('memory-write', { path: '../outside.md', content: 'x' }), /TITAN_E_MEMORY_PATH/);
      await assert.rejects(call('memory-read', { path: 'notes/none.md' }), /TITAN_E_NOT_FOUND/);
    });

    test('with a tagging model configured, each saved document gets its summary and keywords', async () => {
      const tagging = await MemoryService.open(handle.kernel, {
        workspace: dir,
        config: CONFIG,
        // The background model as memory sees it: one JSON answer per document.
        async *tagModel(request) {
          const heading = /^# (.+)$/m.exec(request.messages[1].content)?.[1] ?? 'Untitled';
          yield { type: 'text', text: JSON.stringify({ summary: `About ${heading.toLowerCase()}.`, keywords: [heading.toLowerCase(), 'workspace'] }) };
          yield { type: 'stop', reason: 'end_turn' };
        },
      });
      await tagging.index({ full: true });
      await tagging.idle();
      const doc = await tagging.document('notes/deploy.md');
      assert.deepEqual([doc.summary, doc.keywords], ['About deploy.', ['deploy', 'workspace']]);
      const status = await tagging.status();
      assert.equal(status.tagger.by, 'model');
      assert.ok(status.tagger.model >= 2 && status.tagger.keywords === 0, JSON.stringify(status.tagger));
      await tagging.close();
      // Offline again: the deterministic keywords.
      await memory.index({ full: true });
      await memory.idle();
      assert.equal((await memory.document('notes/deploy.md')).summary, 'Deploy: Run the deploy script from the ops folder.');
    });

    test('a failing embeddings provider leaves the whole run on the local embedder', async () => {
      const provider = { name: 'down', component: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } as ProviderConfig;
      const failing = await MemoryService.open(handle.kernel, {
        workspace: dir,
        config: { ...CONFIG, embeddings: 'provider' },
        provider,
        fetch: async () => {
          throw new Error('connection refused');
        },
      });
      const report = await failing.index();
      assert.equal(report.switchedFrom, 'down:text-embedding-3-small');
      assert.equal(report.embedder, 'local');
      assert.equal((await failing.status()).embedder, 'local');
      assert.equal((await failing.query('owner', 'how do I deploy?'))[0].path, 'notes/deploy.md');
      await failing.close();
    });
  });
}
