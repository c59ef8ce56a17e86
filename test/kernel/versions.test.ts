// Old contracts stay linkable beside new ones: a tool built for titan:tool@0.1.0 (host 0.1.0
// imports) and one built for titan:tool@0.2.0 (host 0.2.0 imports, its own smoke()) serve side by
// side in one kernel.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import type { PublishedManifest } from '../../registry/manifest.ts';
import { buildBuiltin, publishFixture, serving } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';

describe('titan:tool@0.1.0 and titan:tool@0.2.0 in one kernel', () => {
  let kernel: Kernel;
  let cleanup: () => Promise<void>;
  let echo: PublishedManifest;
  let kv: PublishedManifest;
  let greeter: PublishedManifest;
  const logs: Array<KernelEvents['component.log']> = [];
  const logsDuringGreeterDeploy: Array<KernelEvents['component.log']> = [];

  before(async () => {
    // greeter is granted inline: the host clock it reads follows this process's TZ, set below. Its
    // first reading after TZ changes loads the zone's rules on the kernel's thread, inside greeter's
    // slice; this suite is about versions, not slices (test/kernel/inline-slice.test.ts is), so it
    // gives greeter a long one.
    ({ kernel, cleanup } = await openTestKernel({ config: { inlineGrants: ['tool/greeter'], inlineSliceMs: 1000 } }));
    kernel.bus.on('component.log', (event) => logs.push(event));
    echo = await publishComponent(kernel, await buildBuiltin('echo'));
    kv = await publishComponent(kernel, await buildBuiltin('kv'));
    greeter = await publishFixture(kernel, 'greeter-v2');
    await kernel.deployManifest(echo);
    await kernel.deployManifest(kv);
    const off = kernel.bus.on('component.log', (event) => logsDuringGreeterDeploy.push(event));
    await kernel.deployManifest(greeter);
    off();
  });
  after(() => cleanup());

  test('the registry records which contract each binary was built for, read from the binary', () => {
    assert.equal(echo.witPackage, 'titan:tool@0.1.0');
    assert.deepEqual(echo.imports, ['titan:host/log@0.1.0']);
    assert.equal(greeter.witPackage, 'titan:tool@0.2.0');
    assert.deepEqual([...greeter.imports].sort(), ['titan:host/clock@0.2.0', 'titan:host/log@0.2.0']);
    assert.equal(greeter.description, 'Greets someone (v2 world).');
    assert.deepEqual(serving(kernel), { 'tool/echo': '1.0.0', 'tool/greeter': '2.0.0', 'tool/kv': '1.0.0' });
  });

  test("both serve, each through its own world's exports and host imports", async () => {
    assert.deepEqual(await kernel.invokeTool('echo', { text: 'from 0.1.0' }), { text: 'from 0.1.0' });
    // timezone-offset-minutes exists only in titan:host/clock@0.2.0: the host's zone, east of UTC.
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      assert.deepEqual(await kernel.invokeTool('greeter', { name: 'Ada' }), { greeting: 'Hello, Ada!', world: '0.2.0', tzOffset: 330 });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test('calls to both, interleaved and concurrent, each get their own answer', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const answers = await Promise.all(names.flatMap((name) => [kernel.invokeTool('echo', { text: name }), kernel.invokeTool('greeter', { name })]));
    names.forEach((name, i) => {
      assert.deepEqual(answers[2 * i], { text: name });
      assert.equal((answers[2 * i + 1] as { greeting: string }).greeting, `Hello, ${name}!`);
    });
  });

  test('host log 0.1.0 (plain lines) and host log 0.2.0 (lines with fields) both reach the event bus', async () => {
    logs.length = 0;
    await kernel.invokeTool('kv', { op: 'set', key: 'k', value: 'v' });
    await kernel.invokeTool('greeter', { name: 'Grace' });
    const fromKv = logs.find((l) => l.slot === 'tool/kv');
    assert.deepEqual(
      { ...fromKv, fields: fromKv?.fields ?? undefined },
      { slot: 'tool/kv', version: '1.0.0', level: 'debug', message: 'set k', fields: undefined },
    );
    assert.deepEqual(
      logs.find((l) => l.slot === 'tool/greeter'),
      { slot: 'tool/greeter', version: '2.0.0', level: 'info', message: 'greeting', fields: { name: 'Grace' } },
    );
  });

  test("the 0.2.0 tool's own smoke() and its manifest smoke case ran before it was swapped in", () => {
    const greeted = logsDuringGreeterDeploy.filter((l) => l.slot === 'tool/greeter').map((l) => l.fields?.name);
    assert.ok(greeted.includes('x'), `smoke() greets "x": ${JSON.stringify(greeted)}`);
    assert.ok(greeted.includes('smoke'), `the manifest's smoke case greets "smoke": ${JSON.stringify(greeted)}`);
  });
});
