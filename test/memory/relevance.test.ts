// Search relevance measured blind: a small workspace is indexed, each query of data/relevance.json is
// searched, and recall@1, recall@5 and MRR are reported per part; only a low floor is asserted, so the
// test fails when search breaks, never because a figure moved a little.
import assert from 'node:assert/strict';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { memorySection } from '../../agent/memory/config.ts';
import { MemoryService } from '../../agent/memory/service.ts';
import { openStoreKernel, type StoreKernel } from '../support/store.ts';

type Judged = { query: string; relevant: string[] };
type RelevanceSet = { about: string; notes: Array<{ path: string; text: string }>; tuning: Judged[]; heldOut: Judged[] };

const set = JSON.parse(await readFile(new URL('./data/relevance.json', import.meta.url), 'utf8')) as RelevanceSet;

let handle: StoreKernel;
let memory: MemoryService;

before(async () => {
  handle = await openStoreKernel('libsql', { name: 'relevance' });
  const dir = path.join(handle.home, 'workspace');
  for (const note of set.notes) {
    await mkdir(path.dirname(path.join(dir, note.path)), { recursive: true });
    await writeFile(path.join(dir, note.path), note.text);
  }
  memory = await MemoryService.open(handle.kernel, { workspace: dir, config: { ...memorySection.defaults, watch: false } });
  assert.equal((await memory.index()).indexed, set.notes.length);
});
after(async () => {
  await memory?.close();
  await handle?.cleanup();
});

/** Documents in the order search first names them (a document's later chunks do not count again). */
async function ranked(query: string): Promise<string[]> {
  const hits = await memory.query('owner', query, { limit: 20 });
  return [...new Set(hits.map((h) => h.path))];
}

type Figures = { recallAt1: number; recallAt5: number; mrr: number; misses: string[] };

async function measure(queries: Judged[]): Promise<Figures> {
  let at1 = 0;
  let at5 = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const { query, relevant } of queries) {
    const order = await ranked(query);
    const first = order.findIndex((p) => relevant.includes(p));
    // A query is answered at rank k when any of its relevant notes is there.
    if (first === 0) at1++;
    if (first >= 0 && first < 5) at5++;
    if (first >= 0) reciprocal += 1 / (first + 1);
    if (first !== 0) misses.push(`${query} -> ${order[0] ?? 'nothing'} (relevant at ${first < 0 ? 'none' : first + 1})`);
  }
  const n = queries.length;
  return { recallAt1: at1 / n, recallAt5: at5 / n, mrr: reciprocal / n, misses };
}

function report(t: test.TestContext, part: string, n: number, f: Figures): void {
  t.diagnostic(`${part} (${n} queries, measured blind): recall@1 ${f.recallAt1.toFixed(2)}, recall@5 ${f.recallAt5.toFixed(2)}, MRR ${f.mrr.toFixed(3)}`);
  for (const miss of f.misses) t.diagnostic(`  not first: ${miss}`);
}

test('tuning part: most queries find their note in the first five', async (t) => {
  const figures = await measure(set.tuning);
  report(t, 'tuning', set.tuning.length, figures);
  assert.ok(figures.recallAt5 >= 0.5, `recall@5 ${figures.recallAt5} is below the 0.5 floor: search is broken`);
});

test('held-out part is reported, never tuned on', async (t) => {
  const figures = await measure(set.heldOut);
  report(t, 'heldOut', set.heldOut.length, figures);
  assert.ok(figures.recallAt5 >= 0.3, `recall@5 ${figures.recallAt5} is below the 0.3 floor: search is broken`);
});
