// The built-in tools (echo, clock, kv) as a user meets them: the first start builds, publishes and
// deploys them; they answer; kv keeps its data across a restart; a bad input gets a coded error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrapBuiltins, type BootstrapReport } from '../../kernel/bootstrap.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import { recordingProgress, rejectsWithCode, reopenKernel, serving } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';

const BUILTINS = [
  'tool/clock@1.0.0',
  'tool/code-graph@1.1.0',
  'tool/echo@1.0.0',
  'tool/jit-runtime@1.0.0',
  'tool/kv@1.0.0',
  'tool/memory-graph@1.0.0',
  'tool/memory-read@1.0.0',
  'tool/memory-search@1.0.0',
  'tool/memory-write@1.0.0',
  'tool/read-file@1.0.0',
  'tool/shell@1.0.0',
  'tool/web-fetch@1.0.0',
  'tool/web-search@1.0.0',
  'tool/write-file@1.0.0',
];
// components/ grows (stores, channels...): these suites check the built-in tools within whatever else is there.
const tools = (refs: string[]) => refs.filter((ref) => ref.startsWith('tool/')).sort();
const toolSlots = (kernel: Kernel) => Object.fromEntries(Object.entries(serving(kernel)).filter(([slot]) => slot.startsWith('tool/')));

describe('a first start with the built-ins', () => {
  let kernel: Kernel;
  let cleanup: () => Promise<void>;
  let report: BootstrapReport;
  const deployed: Array<KernelEvents['component.deployed']> = [];

  before(async () => {
    ({ kernel, cleanup } = await openTestKernel());
    kernel.bus.on('component.deployed', (event) => deployed.push(event));
    report = await bootstrapBuiltins(kernel);
  });
  after(() => cleanup());

  test('publishes echo, clock and kv to the registry and deploys each one', async () => {
    assert.deepEqual(tools(report.published), BUILTINS);
    assert.deepEqual(tools(report.deployed), BUILTINS);
    assert.deepEqual(
      report.failed.filter((f) => f.slot.startsWith('tool/')),
      [],
    );
    assert.deepEqual(report.proposed, []);
    assert.deepEqual(toolSlots(kernel), Object.fromEntries(BUILTINS.map((ref) => ref.split('@') as [string, string])));
    // What a turn lists as its tools: the serving ones, in the order components() shows them.
    assert.deepEqual(
      kernel.servingOfKind('tool').map((m) => `${m.name}@${m.version}`),
      kernel
        .components()
        .filter((c) => c.kind === 'tool' && c.version)
        .map((c) => `${c.name}@${c.version}`),
    );
    assert.deepEqual(
      deployed
        .map((e) => e.slot)
        .filter((slot) => slot.startsWith('tool/'))
        .sort(),
      BUILTINS.map((ref) => ref.split('@')[0]),
    );

    // The registry keeps what each component said about itself when it was published.
    const echo = await kernel.registry.show({ kind: 'tool', name: 'echo', version: '1.0.0' });
    assert.equal(echo.description, 'Returns the given text unchanged.');
    assert.deepEqual((echo.schema as { required?: string[] }).required, ['text']);
    assert.deepEqual(echo.imports, ['titan:host/log@0.1.0']);
    const kv = await kernel.registry.show({ kind: 'tool', name: 'kv', version: '1.0.0' });
    assert.deepEqual([...kv.imports].sort(), ['titan:host/kv@0.1.0', 'titan:host/log@0.1.0']);
  });

  test('echo sends back exactly the text it is given', async () => {
    for (const text of ['hello', '', 'quotes " and \\ backslashes', 'héllo wörld ✓ 🚀 日本語', 'x'.repeat(20000)]) {
      assert.deepEqual(await kernel.invokeTool('echo', { text }), { text });
    }
  });

  test("clock tells the host's current time, in UTC and shifted by an offset", async () => {
    const earliest = Date.now();
    const now = (await kernel.invokeTool('clock', {})) as { epochMs: number; utc: string; local: string };
    const latest = Date.now();
    assert.ok(now.epochMs >= earliest && now.epochMs <= latest, `clock said ${now.epochMs}, the host clock read ${earliest}..${latest}`);
    assert.equal(now.utc, new Date(now.epochMs).toISOString());
    assert.match(now.local, /\+00:00$/);

    const india = (await kernel.invokeTool('clock', { offsetMinutes: 330 })) as { epochMs: number; local: string };
    assert.equal(india.local, new Date(india.epochMs + 330 * 60000).toISOString().slice(0, 19) + '+05:30');
    const newfoundland = (await kernel.invokeTool('clock', { offsetMinutes: -210 })) as { local: string };
    assert.match(newfoundland.local, /-03:30$/);
  });

  test('kv sets, gets, lists and deletes across calls', async () => {
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'set', key: 'notes/a', value: 'first' }), { key: 'notes/a', stored: true });
    await kernel.invokeTool('kv', { op: 'set', key: 'notes/b', value: '{"json":true}' });
    await kernel.invokeTool('kv', { op: 'set', key: 'other', value: 'x' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'notes/a' }), { key: 'notes/a', value: 'first' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'notes/b' }), { key: 'notes/b', value: '{"json":true}' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'list', prefix: 'notes/' }), { keys: ['notes/a', 'notes/b'] });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'list' }), { keys: ['notes/a', 'notes/b', 'other'] });

    await kernel.invokeTool('kv', { op: 'set', key: 'notes/a', value: 'second' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'notes/a' }), { key: 'notes/a', value: 'second' });

    assert.deepEqual(await kernel.invokeTool('kv', { op: 'delete', key: 'notes/b' }), { key: 'notes/b', deleted: true });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'delete', key: 'notes/b' }), { key: 'notes/b', deleted: false });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'notes/b' }), { key: 'notes/b', value: null });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'list', prefix: 'notes/' }), { keys: ['notes/a'] });
  });

  test('kv calls running at the same time all land', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `burst/${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((key) => kernel.invokeTool('kv', { op: 'set', key, value: key.toUpperCase() })));
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'list', prefix: 'burst/' }), { keys });
    const values = await Promise.all(keys.map((key) => kernel.invokeTool('kv', { op: 'get', key })));
    assert.deepEqual(
      values.map((v) => (v as { value: string }).value),
      keys.map((k) => k.toUpperCase()),
    );
  });

  test("an invalid input gets TITAN_E_COMPONENT_ERROR with the tool's reason, and the next call works", async () => {
    const before = kernel.components().find((c) => c.slot === 'tool/echo')?.instances;
    const missing = await rejectsWithCode(kernel.invokeTool('echo', { nope: 1 }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(missing.message, /tool\/echo@1\.0\.0: invalid-input: expected \{"text": string\}/);
    assert.equal((missing as unknown as { details: { tag: string } }).details.tag, 'invalid-input');
    const notJson = await rejectsWithCode(kernel.call('tool', 'echo', 'invoke', ['{not json']), 'TITAN_E_COMPONENT_ERROR');
    assert.match(notJson.message, /input is not JSON/);
    await rejectsWithCode(kernel.invokeTool('clock', { offsetMinutes: 5000 }), 'TITAN_E_COMPONENT_ERROR');
    await rejectsWithCode(kernel.invokeTool('kv', { op: 'set', key: 'k' }), 'TITAN_E_COMPONENT_ERROR');
    await rejectsWithCode(kernel.invokeTool('kv', { op: 'get' }), 'TITAN_E_COMPONENT_ERROR');

    assert.deepEqual(await kernel.invokeTool('echo', { text: 'still here' }), { text: 'still here' });
    const afterwards = kernel.components().find((c) => c.slot === 'tool/echo')?.instances;
    assert.equal(afterwards?.discarded, before?.discarded, 'an error answer does not cost the instance');
  });

  test("a value over the kv capability's limit is refused by the host, and nothing is stored", async () => {
    const tooBig = await rejectsWithCode(kernel.invokeTool('kv', { op: 'set', key: 'big', value: 'x'.repeat(70000) }), 'TITAN_E_COMPONENT_ERROR');
    assert.match(tooBig.message, /failed: .*over this component's limit of 65536/);
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'big' }), { key: 'big', value: null });
  });

  test('calling what is not deployed, or a function a component does not export, gets a coded error', async () => {
    await rejectsWithCode(kernel.invokeTool('weather', {}), 'TITAN_E_SLOT_EMPTY');
    await rejectsWithCode(kernel.call('channel', 'echo', 'invoke', ['{}']), 'TITAN_E_SLOT_EMPTY');
    await rejectsWithCode(kernel.call('tool', 'echo', 'launch-rockets', []), 'TITAN_E_NOT_FOUND');
    assert.deepEqual(await kernel.invokeTool('echo', { text: 'ok' }), { text: 'ok' });
  });
});

test('kv data and the deployed built-ins survive a restart; the second start publishes and compiles nothing', async () => {
  const first = await openTestKernel();
  try {
    await bootstrapBuiltins(first.kernel);
    await first.kernel.invokeTool('kv', { op: 'set', key: 'remember', value: 'across restarts' });
    await first.kernel.invokeTool('kv', { op: 'set', key: 'forget', value: 'soon' });
    await first.kernel.invokeTool('kv', { op: 'delete', key: 'forget' });
    await first.kernel.close();

    const kernel = await reopenKernel(first.home);
    try {
      const progress = recordingProgress();
      const report = await bootstrapBuiltins(kernel, { progress });
      assert.deepEqual(report.published, [], 'nothing new to publish');
      assert.deepEqual(tools(report.deployed), [], 'the tools were restored, not deployed again');
      assert.deepEqual(report.proposed, []);
      assert.deepEqual(tools(progress.steps.map((s) => s.item)), BUILTINS);
      assert.ok(
        progress.steps.every((s) => s.detail === 'cached'),
        `every build came from the cache: ${JSON.stringify(progress.steps)}`,
      );
      assert.deepEqual(toolSlots(kernel), Object.fromEntries(BUILTINS.map((ref) => ref.split('@') as [string, string])));

      assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'remember' }), { key: 'remember', value: 'across restarts' });
      assert.deepEqual(await kernel.invokeTool('kv', { op: 'list' }), { keys: ['remember'] });
      assert.deepEqual(await kernel.invokeTool('echo', { text: 'back' }), { text: 'back' });
    } finally {
      await kernel.close();
    }
  } finally {
    await first.cleanup();
  }
});
