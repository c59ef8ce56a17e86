// Just-in-time tools as the agent uses them: a function body in, its JSON answer out, through the
// prebuilt runtime (milliseconds) or a build of its own (about a second); only granted tools are
// reachable; a loop, a memory hog or an ungranted call is stopped with a coded error, and no run
// leaves anything for the next; a tool worth keeping is promoted to a published component.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtin, kernelFor, rejectsWithCode } from '../support/fixtures.ts';

test('a JIT tool answers through the prebuilt runtime and through a build of its own, and reaches only the tools it is granted', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await kernel.jit.prepare();
  const sum = { source: 'return input.a + input.b;', input: { a: 2, b: 3 } };
  assert.deepEqual((await kernel.jit.run(sum)).output, 5);
  const fast = await kernel.jit.run(sum);
  assert.ok(fast.ms < 1000, `runtime path in ${fast.ms} ms`);
  const built = await kernel.jit.run({ ...sum, path: 'build' });
  assert.deepEqual([built.output, built.path], [5, 'build']);

  const shout = { source: "return tools.call('echo', { text: input.text.toUpperCase() }).text;", input: { text: 'hi' }, grant: ['echo'] };
  assert.equal((await kernel.jit.run(shout)).output, 'HI');
  const refused = await rejectsWithCode(kernel.jit.run({ ...shout, grant: [] }), 'TITAN_E_JIT_CAPABILITY');
  assert.match(refused.message, /echo/);
  const swallowed = "try { tools.call('echo', { text: 'x' }); } catch (e) { return 'caught'; }";
  await rejectsWithCode(kernel.jit.run({ source: swallowed }), 'TITAN_E_JIT_CAPABILITY');
  await rejectsWithCode(kernel.jit.run({ source: swallowed, path: 'build' }), 'TITAN_E_JIT_CAPABILITY');
});

test('a JIT tool that loops, hogs memory, throws or leaves globals behind is stopped or forgotten, with coded errors', async (t) => {
  const { kernel } = await kernelFor(t);
  const started = performance.now();
  const loop = await rejectsWithCode(kernel.jit.run({ source: 'for (;;) {}', timeoutMs: 300 }), 'TITAN_E_JIT_LIMIT');
  assert.match(loop.message, /300 ms/);
  assert.ok(performance.now() - started < 5000, 'stopped soon after its limit');
  await rejectsWithCode(kernel.jit.run({ source: "const a = []; for (;;) a.push('x'.repeat(1 << 20));", memoryMb: 16 }), 'TITAN_E_JIT_LIMIT');
  await rejectsWithCode(kernel.jit.run({ source: 'throw new Error("no such file");' }), 'TITAN_E_JIT_FAILED');
  await rejectsWithCode(kernel.jit.run({ source: 'return (' }), 'TITAN_E_JIT_FAILED');
  await rejectsWithCode(kernel.jit.run({ source: 'return 1;', grant: ['Not A Tool'] }), 'TITAN_E_USAGE');

  assert.equal((await kernel.jit.run({ source: 'globalThis.leak = 42; return 1;' })).output, 1);
  assert.equal((await kernel.jit.run({ source: 'return typeof globalThis.leak;' })).output, 'undefined', 'the next run starts clean');
  assert.deepEqual((await kernel.jit.run({ source: 'return input;', input: [1, 'two'] })).output, [1, 'two'], 'and the kernel still runs them');
});

test('a JIT tool worth keeping is promoted to a published component and serves like any other', async (t) => {
  const { kernel } = await kernelFor(t);
  const manifest = await kernel.jit.promote({ source: 'return { words: String(input.text).split(/\\s+/).length };' }, 'word-count', '1.0.0');
  assert.deepEqual([manifest.kind, manifest.name, manifest.version], ['tool', 'word-count', '1.0.0']);
  await kernel.deployManifest(manifest);
  assert.deepEqual(await kernel.invokeTool('word-count', { text: 'one two three' }), { words: 3 });
});
