// Titan under attack by the components it runs: an endless loop, a memory bomb, endless recursion,
// a 200 MB result, a log flood and an event flood, each a published third-party tool, each run in
// a worker (the default for anything not shipped with Titan) and inline by an explicit grant.
// Every attack ends with a coded error, the attacker's next call works, and a neighbour (the
// built-in echo) keeps answering; in a worker it answers while the attack runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { contentDigest } from '../../common/digest.ts';
import type { ErrorCode } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildFixture, builtin, deployFixture, rejectsWithCode } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';
import { neighbourCalls } from '../support/neighbour.ts';

/** `inline`: the codes inline by grant, where they differ (its 25 ms slice of the kernel's thread may end first). */
type Attack = { name: string; code: ErrorCode; inline?: ErrorCode[]; chatter?: 'log' | 'event' };

const ATTACKS: Attack[] = [
  { name: 'attack-loop', code: 'TITAN_E_TIMEOUT' },
  // Inline, whichever comes first: the 64 MiB cap or the end of its slice.
  { name: 'attack-memory', code: 'TITAN_E_OUT_OF_MEMORY', inline: ['TITAN_E_OUT_OF_MEMORY', 'TITAN_E_TIMEOUT'] },
  { name: 'attack-recursion', code: 'TITAN_E_COMPONENT_TRAP' },
  // Inline, building the 200 MB string takes the guest seconds: its slice ends first.
  { name: 'attack-result', code: 'TITAN_E_RESULT_TOO_LARGE', inline: ['TITAN_E_TIMEOUT'] },
  { name: 'attack-logs', code: 'TITAN_E_TIMEOUT', chatter: 'log' },
  { name: 'attack-events', code: 'TITAN_E_TIMEOUT', chatter: 'event' },
];

for (const isolation of ['worker', 'inline'] as const) {
  describe(`attacks by components running ${isolation === 'worker' ? 'in a worker (the default)' : 'inline by grant'}`, () => {
    let kernel: Kernel;
    let cleanup: () => Promise<void>;
    before(async () => {
      const grants = isolation === 'inline' ? ATTACKS.map((a) => `tool/${a.name}`) : [];
      // Low chatter rates: an inline flood is stopped at its 25 ms slice, which on a busy machine may
      // give it too little time to empty the default buckets (bursts of 200 lines, 1,000 events).
      // The slice is the default's: that is what an owner's grant gets.
      ({ kernel, cleanup } = await openTestKernel({ config: { inlineGrants: grants, componentLogRate: 5, componentEventRate: 5 } }));
      await deployFixture(kernel, builtin('echo'));
      for (const attack of ATTACKS) await deployFixture(kernel, attack.name);
    });
    after(() => cleanup());

    for (const attack of ATTACKS) {
      const codes = (isolation === 'inline' && attack.inline) || [attack.code];
      test(`${attack.name}: ${codes.join(' or ')}, the kernel keeps answering`, async () => {
        const slot = `tool/${attack.name}`;
        assert.equal(kernel.components().find((c) => c.slot === slot)?.isolation, isolation);
        const attacking = kernel.invokeTool(attack.name, { attack: true });
        const meanwhile = await neighbourCalls(kernel, attacking);
        let error!: Error & { code?: string };
        await assert.rejects(attacking, (thrown: Error & { code?: string }) => {
          error = thrown;
          return true;
        });
        assert.ok(codes.includes(error.code as ErrorCode), `expected ${codes.join(' or ')}, got ${error.code}: ${error.message}`);
        assert.match(error.message, new RegExp(`${slot}@1\\.0\\.0`));
        if (isolation === 'inline' && error.code === 'TITAN_E_TIMEOUT') {
          // Stopped at its slice of the kernel's thread (kernel.inlineSliceMs, 25 ms by default), long before its own limit (1 s or more).
          assert.match(error.message, /held the kernel's thread for more than 25 ms \(kernel\.inlineSliceMs\)/);
          assert.match((error as { fix?: string }).fix ?? '', new RegExp(`remove ${slot} from kernel\\.inlineGrants`));
        }
        // In a worker the kernel's thread is never blocked: the neighbour answered during the attack.
        if (isolation === 'worker') assert.ok(meanwhile > 0, 'echo answered while the attack ran');
        if (attack.chatter) {
          const drops = kernel.chatterDrops().find((d) => d.slot === slot && d.kind === attack.chatter);
          assert.ok((drops?.dropped ?? 0) > 0, `the flood was cut and counted: ${JSON.stringify(kernel.chatterDrops())}`);
        }
        assert.deepEqual(await kernel.invokeTool('echo', { text: 'after' }), { text: 'after' });
        assert.deepEqual(await kernel.invokeTool(attack.name, { attack: false }), { ok: true }, "the attacker's next call works");
      });
    }
  });
}

test('publishing a third-party component whose smoke test never returns ends with a coded error, and nothing is published', async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const loop = await buildFixture('attack-loop');
  const error = await rejectsWithCode(
    publishComponent(kernel, { ...loop, manifest: { ...loop.manifest, smoke: [{ input: '{"attack":true}' }] } }),
    'TITAN_E_SMOKE_FAILED',
  );
  assert.match(error.message, /did not answer within 1000 ms/);
  assert.deepEqual(await kernel.registry.list(), []);
});

test('a component asking to run inline without a grant runs in a worker, and the kernel says so', async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const warnings: string[] = [];
  kernel.bus.on('kernel.warning', (w) => warnings.push(w.message));
  const loop = await buildFixture('attack-loop');
  const manifest = await publishComponent(kernel, { ...loop, manifest: { ...loop.manifest, limits: { ...loop.manifest.limits, isolation: 'inline' } } });
  await kernel.deployManifest(manifest);
  assert.equal(kernel.components().find((c) => c.slot === 'tool/attack-loop')?.isolation, 'worker');
  assert.ok(
    warnings.some((w) => /asks to run inline but is not a built-in/.test(w)),
    warnings.join('\n'),
  );
  await rejectsWithCode(kernel.invokeTool('attack-loop', { attack: true }), 'TITAN_E_TIMEOUT');
});

test("a built-in's smoke test runs in a worker too: one that never returns is stopped with a coded error, nothing is published", async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const loop = await buildFixture('attack-loop');
  // Recognised as this installation's own binary, as a built-in (or a patched one) would be.
  await kernel.builtins.add(contentDigest(loop.wasm));
  const manifest = { ...loop.manifest, smoke: [{ input: '{"attack":true}' }] };
  const error = await rejectsWithCode(publishComponent(kernel, { ...loop, manifest }), 'TITAN_E_SMOKE_FAILED');
  assert.match(error.message, /did not answer within 1000 ms/);
  assert.deepEqual(await kernel.registry.list(), []);
});

test('a component flooding the log from three worker threads at once gets its rate between them, not three times it', async (t) => {
  const RATE = 50;
  const { kernel, cleanup } = await openTestKernel({ config: { workerThreads: 3, componentLogRate: RATE } });
  t.after(cleanup);
  await deployFixture(kernel, 'attack-logs');
  let delivered = 0;
  kernel.bus.on('component.log', (line) => {
    if (line.slot === 'tool/attack-logs') delivered++;
  });
  const started = performance.now();
  const ended = await Promise.allSettled([1, 2, 3].map(() => kernel.invokeTool('attack-logs', { attack: true })));
  assert.deepEqual(
    ended.map((e) => (e.status === 'rejected' ? (e.reason as { code?: string }).code : 'answered')),
    ['TITAN_E_TIMEOUT', 'TITAN_E_TIMEOUT', 'TITAN_E_TIMEOUT'],
  );
  const seconds = (performance.now() - started) / 1000;
  // One bucket: a burst of twice the rate, then the rate, whichever thread the lines came from.
  assert.ok(delivered <= 2 * RATE + RATE * seconds + 5, `${delivered} lines reached the kernel in ${seconds.toFixed(2)} s from 3 threads`);
  assert.ok(delivered >= 2 * RATE, `the burst got through: ${delivered}`);
  const drops = kernel.chatterDrops().find((d) => d.slot === 'tool/attack-logs' && d.kind === 'log');
  assert.ok((drops?.dropped ?? 0) > 0);
});
