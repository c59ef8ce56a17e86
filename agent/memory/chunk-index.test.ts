// The in-memory chunk index as search meets it: words ranked by BM25, vectors by cosine after
// quantisation, filters applied, and a document written again or removed (thousands of times, so
// the slots are compacted) leaving exactly what is left to find.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedding } from '../reflex/embedder.ts';
import { ChunkIndex, type IndexedDoc } from './chunk-index.ts';

const doc = (id: string, over: Partial<IndexedDoc> = {}): IndexedDoc => ({ id, userId: '*', kind: 'note', path: `notes/${id}.md`, updatedAt: 1000, ...over });
const chunk = (pos: number, text: string) => ({ pos, text, vector: localEmbedding(text, 256) });

test('words and meaning find the chunk that says it; filters leave out the rest', () => {
  const index = new ChunkIndex();
  index.put(doc('deploy'), [chunk(1, 'Run the deploy script from the ops folder.'), chunk(2, 'Rollbacks use the previous release tag.')]);
  index.put(doc('billing', { kind: 'daily', path: 'memory/2026-12-01.md', updatedAt: 2000 }), [chunk(3, 'The billing service retries failed invoices.')]);
  index.put(doc('chat', { userId: 'ada', kind: 'turn', path: 'threads/t/1' }), [chunk(4, 'User: how do I deploy the billing service?')]);
  assert.equal(index.text('deploy script', 5, {})[0].pos, 1);
  assert.equal(index.nearest(localEmbedding('the billing service retries invoices', 256), 5, {})[0].pos, 3);
  // Another user's turn is never seen; the owner's is.
  assert.ok(index.text('deploy', 5, {}).every((r) => r.pos !== 4));
  assert.ok(index.text('deploy', 5, { userIds: ['*', 'ada'] }).some((r) => r.pos === 4));
  assert.deepEqual(
    index.text('billing', 5, { userIds: ['*', 'ada'], kinds: ['daily'] }).map((r) => r.pos),
    [3],
  );
  assert.deepEqual(
    index.nearest(localEmbedding('deploy', 256), 5, { pathPrefix: 'memory/' }).map((r) => r.pos),
    [3],
  );
  assert.deepEqual(
    index.text('billing deploy', 5, { since: 1500 }).map((r) => r.pos),
    [3],
  );
  assert.deepEqual(index.text('the of and', 5, {}), []);
});

test('a document written again or removed leaves only what is current, across compactions', () => {
  const index = new ChunkIndex();
  for (let i = 0; i < 3000; i++) index.put(doc(`d${i}`), [chunk(i * 2 + 1, `note ${i} about topic${i % 7}`), chunk(i * 2 + 2, `word${i} stays`)]);
  for (let i = 0; i < 3000; i++) if (i % 3 !== 0) index.removeDocument(`d${i}`);
  index.put(doc('d3'), [chunk(9001, 'rewritten with zebra')]);
  assert.equal(index.size, 1000 * 2 - 1);
  assert.equal(index.documents, 1000);
  assert.deepEqual(
    index.text('word9 word10 word12', 5, {}).map((r) => r.pos),
    [20, 26],
  );
  assert.deepEqual(
    index.text('zebra', 5, {}).map((r) => r.pos),
    [9001],
  );
  assert.equal(index.has(7), false); // d3's old chunk
  assert.deepEqual(
    index.nearest(localEmbedding('word2997 stays', 256), 1, {}).map((r) => r.pos),
    [5996],
  );
});

test('quantised vectors rank as the exact cosine does', () => {
  const index = new ChunkIndex();
  const texts = Array.from({ length: 200 }, (_, i) => `the ${['parser', 'router', 'cache', 'queue'][i % 4]} handles request ${i} for customer ${i % 13}`);
  index.put(
    doc('all'),
    texts.map((t, i) => chunk(i + 1, t)),
  );
  const query = localEmbedding('the cache handles request 42 for customer 3', 256);
  const exact = texts
    .map((t, i) => {
      const v = localEmbedding(t, 256);
      let dot = 0;
      for (let d = 0; d < 256; d++) dot += v[d] * query[d];
      return { pos: i + 1, distance: 1 - dot };
    })
    .sort((a, b) => a.distance - b.distance);
  const found = index.nearest(query, 5, {});
  assert.equal(found[0].pos, exact[0].pos);
  assert.ok(Math.abs(found[0].distance - exact[0].distance) < 0.02);
  assert.ok(exact.slice(0, 8).some((e) => e.pos === found[4].pos));
});
