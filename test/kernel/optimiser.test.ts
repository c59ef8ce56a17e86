// The monitor turning telemetry into patches: a slow pure tool whose inputs repeat gets a memo,
// verified on its recorded calls and (auto-approval on) deployed, judged by the canary and kept;
// with auto-approval off the proposal waits for a person; a slow tool gets a model-written faster
// version (the scripted model over HTTP), built by the toolchain; and every bad proposal (does not
// build, fails its smoke test, answers differently on replay, is slower) is refused with its report.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createLlm, startScriptedLlm } from '../../agent/api.ts';
import { llmSourceModel } from '../../agent/kernel-patch/source-model.ts';
import type { Kernel, SourceModel } from '../../kernel/api.ts';
import { proposeNewerVersions } from '../../kernel/update-watcher.ts';
import { BUILTINS, FIXTURES, deployFixture, kernelFor, serving } from '../support/fixtures.ts';

const FAST_SOURCE = await readFile(path.join(FIXTURES, 'fib-fast', 'fib.js'), 'utf8');
const SLOW_SOURCE = await readFile(path.join(FIXTURES, 'fib-slow', 'fib.js'), 'utf8');
const fenced = (source: string) => `Here is a faster version.\n\n\`\`\`js\n${source}\n\`\`\`\n`;
const canned =
  (answer: string): SourceModel =>
  async () =>
    answer;

/** Tight thresholds: the tests' workloads are small. */
const MONITOR = { recordSampleRate: 1, optimiseMinCalls: 20, optimiseSlowMs: 0, canaryShare: 0.5, canaryMinCalls: 10, canaryWatchCalls: 30, canaryWarmUpMs: 0 };

async function load(kernel: Kernel, inputs: number[]): Promise<void> {
  for (const n of inputs) await kernel.invokeTool('fib', { n });
}

/** Inputs that repeat (four values) and inputs that never do. */
const REPEATING = Array.from({ length: 40 }, (_, i) => 18 + (i % 4));
const DISTINCT = Array.from({ length: 24 }, (_, i) => i % 20);

test('a slow pure tool with repeating inputs: the monitor proposes a memo, verification passes, policy deploys it and the canary keeps it', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: { ...MONITOR, autoApprovePatches: true } });
  await load(kernel, REPEATING);
  const detected = kernel.bus.once('optimiser.detected');
  const [proposal] = await kernel.optimiser.pass();
  assert.equal((await detected).strategy, 'memo');
  assert.equal(proposal.strategy, 'memo');
  assert.equal(proposal.state, 'deployed', JSON.stringify(proposal));
  assert.match(proposal.reason, /declared pure, and 90% of 40 recorded inputs repeat/);
  assert.equal(proposal.toVersion, '1.0.1-opt.1');
  assert.equal(proposal.verification?.passed, true);
  assert.ok(proposal.verification && proposal.verification.new.p50 < proposal.verification.old.p50, JSON.stringify(proposal.verification));
  assert.deepEqual(kernel.serving('tool', 'fib')?.memo, { entries: 1024 });

  const patch = kernel.patches.get(proposal.patchId ?? '');
  assert.equal(patch.history[0].by, 'monitor');
  assert.match(patch.history[0].why, /^memo: p50 [\d.]+ ms .* over 40 calls/, 'the telemetry that triggered it is the proposal step');
  assert.deepEqual(
    patch.history.map((s) => [s.state, s.by]),
    [
      ['proposed', 'monitor'],
      ['approved', 'policy'],
      ['deployed', 'policy'],
    ],
  );
  for (let i = 0; i < 200 && kernel.patches.get(patch.id).canary?.stage !== 'kept'; i++) await load(kernel, [18 + (i % 4)]);
  assert.equal(kernel.patches.get(patch.id).canary?.stage, 'kept');
  assert.deepEqual(await kernel.optimiser.pass(), [], 'the memo version is not slow: nothing more to propose');
});

test('with auto-approval off (the default) a verified proposal waits in the queue; nothing is deployed', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: MONITOR });
  await load(kernel, REPEATING);
  const [proposal] = await kernel.optimiser.pass();
  assert.equal(proposal.state, 'proposed');
  assert.equal(kernel.patches.get(proposal.patchId ?? '').state, 'proposed');
  assert.equal(serving(kernel)['tool/fib'], '1.0.0');
  assert.deepEqual(await kernel.optimiser.pass(), [], 'the same idea is not proposed twice for one version');
  assert.deepEqual(await proposeNewerVersions(kernel), [], 'nor does the update watcher propose the derived version again');
});

test('a slow tool whose inputs do not repeat: the scripted model writes a faster version, the toolchain builds it, it is verified and deployed', async (t) => {
  const server = await startScriptedLlm({ script: { turns: [{ repeat: true, content: [{ type: 'text', text: fenced(FAST_SOURCE) }] }] } });
  t.after(() => server.close());
  const { kernel } = await kernelFor(t, ['fib-slow', path.join(BUILTINS, 'providers', 'openai')], {
    config: { ...MONITOR, autoApprovePatches: true, optimiseRewrite: true },
  });
  const llm = createLlm(kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'KEY' }],
    env: { KEY: 'sk-test' },
  });
  kernel.optimiser.useModel(llmSourceModel(llm));
  await load(kernel, DISTINCT);
  const [proposal] = await kernel.optimiser.pass();
  assert.equal(proposal.strategy, 'rewrite', JSON.stringify(proposal));
  assert.equal(proposal.state, 'deployed', JSON.stringify(proposal));
  assert.equal(serving(kernel)['tool/fib'], '1.0.1-opt.1');
  const asked = server.timeline().find((e) => e.route === 'openai');
  assert.ok(asked, 'the model was asked');
  const prompt = JSON.stringify(asked.body);
  assert.match(prompt, /const fib = \(n\) => \(n < 2/, 'the model saw the source the slow version was built from');
  assert.match(prompt, /input \\+"\{\\+"n\\+":13\}\\+" -> output/, 'and its recorded calls');
  assert.deepEqual(await kernel.invokeTool('fib', { n: 30 }), { n: 30, value: 832040 });
});

type Refusal = { answer: string; state: string; error: RegExp; verification?: RegExp };

const REFUSALS: Record<string, Refusal> = {
  'does not build': { answer: fenced('export const tool = {'), state: 'refused', error: /^TITAN_E_BUILD_FAILED: / },
  'fails its smoke test': {
    answer: fenced(FAST_SOURCE.replace('return a;', 'return a + 1;')),
    state: 'refused',
    error: /^TITAN_E_SMOKE_FAILED: .*smoke case 1 answered/,
  },
  'answers differently on replay': {
    answer: fenced(FAST_SOURCE.replace('return a;', 'return n > 12 ? a + 1 : a;')),
    state: 'refused',
    error: /refused by verification: \d+ of 24 replayed calls answered differently/,
    verification: /at value: /,
  },
  'is slower': {
    // The same answers after a busy loop of some milliseconds a call.
    answer: fenced(SLOW_SOURCE.replace('const n = parse(input);', 'const n = parse(input);\n    let spin = 0;\n    for (let i = 0; i < 5e4; i++) spin += i;')),
    state: 'refused',
    error: /refused by verification: p50 regressed/,
  },
  'answers with no source': { answer: '```js\n```', state: 'refused', error: /^TITAN_E_REWRITE_FAILED: / },
};

for (const [what, refusal] of Object.entries(REFUSALS)) {
  test(`a model-written version that ${what} is refused with its report; the old version keeps serving`, async (t) => {
    const { kernel } = await kernelFor(t, ['fib-slow'], { config: { ...MONITOR, autoApprovePatches: true, optimiseRewrite: true } });
    kernel.optimiser.useModel(canned(refusal.answer));
    await load(kernel, DISTINCT);
    const [proposal] = await kernel.optimiser.pass();
    assert.equal(proposal.strategy, 'rewrite');
    assert.equal(proposal.state, refusal.state, JSON.stringify(proposal));
    assert.match(proposal.error ?? '', refusal.error);
    assert.equal(serving(kernel)['tool/fib'], '1.0.0');
    assert.deepEqual(kernel.optimiser.list().at(-1), proposal, 'the refusal is listed with its report');
    if (proposal.patchId) {
      const patch = kernel.patches.get(proposal.patchId);
      assert.equal(patch.state, 'rejected');
      assert.equal(patch.history.at(-1)?.by, 'monitor');
      assert.equal(patch.verification?.passed, false);
      if (refusal.verification) assert.match(patch.verification?.mismatches[0]?.diff ?? '', refusal.verification);
      const yanked = await kernel.registry.show({ kind: 'tool', name: 'fib', version: proposal.toVersion ?? '' });
      assert.match(yanked.yanked?.reason ?? '', /refused by verification/, 'the refused version leaves the registry ranges');
    }
  });
}

test('a slot whose recorded calls time out gets a proposal of a longer time limit', async (t) => {
  const { kernel } = await kernelFor(t, [], { config: { ...MONITOR, optimiseSlowMs: 100_000 } });
  await deployFixture(kernel, 'fib-slow');
  const base = kernel.serving('tool', 'fib');
  assert.ok(base);
  // Recorded timeouts, as the call recorder keeps them.
  for (let i = 0; i < 20; i++) {
    const timedOut = i % 4 === 0;
    kernel.recorder.observe('tool/fib', '1.0.0', 'invoke', 5, !timedOut);
    kernel.recorder.record('tool/fib', {
      version: '1.0.0',
      fn: 'invoke',
      args: [JSON.stringify({ n: 10 + (i % 5) })],
      ok: !timedOut,
      ...(timedOut ? { error: { code: 'TITAN_E_TIMEOUT', message: 'did not answer within 5000 ms' } } : { output: '{}' }),
      ms: 5,
      host: [],
    });
  }
  const [timeout] = await kernel.optimiser.pass();
  assert.equal(timeout.strategy, 'timeout');
  assert.match(timeout.reason, /5 of 20 recorded calls ran past the 5000 ms time limit: propose 10000 ms/);
  assert.equal((await kernel.registry.show({ kind: 'tool', name: 'fib', version: timeout.toVersion ?? '' })).limits?.timeoutMs, 10000);
  assert.equal(timeout.state, 'proposed', JSON.stringify(timeout));
});

test('on its own, under a replayed workload: the running monitor deploys a model-written version that passed replay, and the canary rolls it back when it fails on live inputs the recording never had', async (t) => {
  // Right on every recorded input (n < 20), wrong beyond: replay cannot see it, live calls do.
  const sly = FAST_SOURCE.replace(
    'const n = parse(input);',
    'const n = parse(input);\n    if (n > 25) throw { tag: "failed", val: "not written for large n" };',
  );
  const { kernel } = await kernelFor(t, ['fib-slow'], {
    config: { ...MONITOR, autoApprovePatches: true, optimiseRewrite: true, optimiseIntervalMs: 100, canaryShare: 1, canaryMinCalls: 5 },
  });
  kernel.optimiser.useModel(canned(fenced(sly)));
  await load(kernel, DISTINCT);
  const deployed = kernel.bus.once('optimiser.proposal', (e) => e.state !== 'proposing');
  kernel.startSelfOptimising();
  const outcome = await deployed;
  assert.equal(outcome.state, 'deployed', JSON.stringify(kernel.optimiser.list()));
  assert.equal(serving(kernel)['tool/fib'], '1.0.1-opt.1');
  const rolledBack = kernel.bus.once('patch.changed', (e) => e.id === outcome.patchId && e.state === 'rolled_back');
  let failed = 0;
  let back = false;
  void rolledBack.then(() => (back = true));
  for (let i = 0; i < 20 && !back; i++) await kernel.invokeTool('fib', { n: 26 }).catch(() => failed++);
  await rolledBack;
  assert.equal(serving(kernel)['tool/fib'], '1.0.0');
  const patch = kernel.patches.get(outcome.patchId ?? '');
  assert.match(patch.canary?.reason ?? '', /^error rate/);
  assert.equal(patch.history.at(-1)?.by, 'canary');
  assert.ok(failed >= 4 && failed < 20, `a few live calls failed before the rollback (${failed})`);
  assert.deepEqual(await kernel.invokeTool('fib', { n: 26 }), { n: 26, value: 121393 }, 'the old version answers again');
});
