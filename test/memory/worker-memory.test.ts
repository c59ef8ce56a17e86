// A third-party memory tool runs isolated in a worker thread (the default for components from
// outside) and still reaches memory and the code graph: it searches, reads and writes notes, asks
// who calls a function, and is refused what its grant does not list - by the kernel too, not only
// by the worker's own check.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memorySection } from '../../agent/memory/config.ts';
import { MemoryService } from '../../agent/memory/service.ts';
import { startCodeGraph, type CodeGraphRunning } from '../../agent/memory/code-graph/start.ts';
import { codeGraphSection } from '../../agent/memory/code-graph/config.ts';
import { WorkerGrants, serveMemory } from '../../kernel/worker-memory.ts';
import { deployFixture } from '../support/fixtures.ts';
import { openStoreKernel, type StoreKernel } from '../support/store.ts';

const KIT = fileURLToPath(new URL('../fixtures/components/memory-kit/', import.meta.url));

let handle: StoreKernel;
let memory: MemoryService;
let graph: CodeGraphRunning | undefined;

before(async () => {
  handle = await openStoreKernel('libsql', { name: 'worker-memory' });
  const dir = handle.kernel.workspace;
  await mkdir(path.join(dir, 'notes'), { recursive: true });
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await writeFile(path.join(dir, 'notes/deploy.md'), '# Deploy\nThe deploy script lives in the ops folder and needs the staging token.\n');
  await writeFile(
    path.join(dir, 'src/billing.ts'),
    'export function roundCents(x: number): number {\n  return Math.round(x * 100) / 100;\n}\n\nexport function invoiceTotal(lines: number[]): number {\n  return roundCents(lines.reduce((a, b) => a + b, 0));\n}\n',
  );
  memory = await MemoryService.open(handle.kernel, { workspace: dir, config: { ...memorySection.defaults, watch: false } });
  memory.start(handle.kernel);
  await memory.index();
  graph = await startCodeGraph(handle.kernel, memory, { ...codeGraphSection.defaults, watch: false }, (m) => assert.fail(m));
  await graph?.indexed;
  await deployFixture(handle.kernel, path.resolve(KIT));
});

after(async () => {
  await graph?.close();
  await memory?.close();
  await handle?.cleanup();
});

async function kit(request: Record<string, unknown>): Promise<{ answer?: Record<string, unknown>; error?: string }> {
  return (await handle.kernel.invokeTool('memory-kit', request)) as { answer?: Record<string, unknown>; error?: string };
}

test('the tool runs in a worker thread, not inline', () => {
  assert.equal(handle.kernel.components().find((c) => c.slot === 'tool/memory-kit')?.isolation, 'worker');
});

test('a worker component searches, reads and writes memory through the kernel', async () => {
  const found = await kit({ op: 'search', query: 'staging token deploy' });
  const results = (found.answer?.results ?? []) as Array<{ path: string }>;
  assert.equal(results[0]?.path, 'notes/deploy.md', JSON.stringify(found));

  const doc = await kit({ op: 'read', path: 'notes/deploy.md' });
  assert.match(JSON.stringify(doc.answer), /staging token/);

  const written = await kit({ op: 'write', path: 'notes/worker.md', content: '# From a worker\nThe quarterly audit is on the ninth of March.\n' });
  assert.deepEqual(written.answer, { path: 'notes/worker.md', indexed: true });
  assert.match(await readFile(path.join(handle.kernel.workspace, 'notes/worker.md'), 'utf8'), /quarterly audit/);
  const again = await kit({ op: 'search', query: 'quarterly audit March' });
  assert.equal(((again.answer?.results ?? []) as Array<{ path: string }>)[0]?.path, 'notes/worker.md');
});

test('a worker component asks the code graph who calls a function', async () => {
  const callers = await kit({ op: 'callers', target: 'roundCents' });
  const rows = (callers.answer?.results ?? []) as Array<{ qualified: string; path: string }>;
  assert.deepEqual(
    rows.map((r) => [r.qualified, r.path]),
    [['invoiceTotal', 'src/billing.ts']],
    JSON.stringify(callers),
  );
});

test('what the grant does not list is refused with a coded error, and bad input changes nothing', async () => {
  const denied = await kit({ op: 'graph', entity: 'Deploy' });
  assert.match(denied.error ?? '', /^TITAN_E_CAPABILITY_DENIED/);
  const outside = await kit({ op: 'write', path: '../escape.md', content: 'x' });
  assert.match(outside.error ?? '', /^TITAN_E_MEMORY_PATH/);
  await assert.rejects(readFile(path.join(handle.kernel.workspace, '..', 'escape.md')));
});

test('the kernel holds a worker call to the deployment grant itself', async () => {
  const grants = new WorkerGrants();
  grants.add('d1', [{ name: 'memory', grant: { allow: ['search'] } }]);
  const services = handle.kernel.services;
  const ask = (op: 'search' | 'write', deploymentId = 'd1') =>
    serveMemory(services, grants, { type: 'memory', id: 'x', deploymentId, op, args: ['{"query":"deploy"}', 'x'] });
  assert.match(await ask('search'), /notes\/deploy.md/);
  await assert.rejects(ask('write'), { code: 'TITAN_E_CAPABILITY_DENIED' });
  await assert.rejects(ask('search', 'unknown'), { code: 'TITAN_E_CAPABILITY_DENIED' });
});
