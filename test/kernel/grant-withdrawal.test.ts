// An inline grant the kernel withdraws: a granted component its slice stops again and again moves
// to a worker, stays there across a restart, and goes back inline only by the owner's word; a
// granted component that behaves keeps its grant however often it is called.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { ComponentStatus } from '../../kernel/slot.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import { GrantWithdrawals, withdrawalsFile } from '../../kernel/grant-withdrawals.ts';
import { builtin, kernelFor, rejectsWithCode, reopenKernel } from '../support/fixtures.ts';
import type { PublishedManifest } from '../../registry/manifest.ts';
import { runTitan } from '../support/cli.ts';
import { neighbourCalls } from '../support/neighbour.ts';

const SLOT = 'tool/attack-loop';

test('a granted component stopped at its slice 3 times runs in a worker from then on, across a restart, until the owner grants it again', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo'), 'attack-loop'], { config: { inlineGrants: [SLOT] } });
  const withdrawn = new Promise<KernelEvents['component.grant_withdrawn']>((resolve) => kernel.bus.on('component.grant_withdrawn', resolve));
  const warnings: string[] = [];
  kernel.bus.on('kernel.warning', ({ message }) => warnings.push(message));
  assert.equal(kernel.components().find((c) => c.slot === SLOT)?.isolation, 'inline');

  // Each stop held every other call back for a slice; the third withdraws the grant.
  for (let i = 0; i < 3; i++) {
    const error = await rejectsWithCode(kernel.invokeTool('attack-loop', { attack: true }), 'TITAN_E_TIMEOUT');
    assert.match(error.message, /kernel\.inlineSliceMs/);
  }
  const event = await withdrawn;
  assert.deepEqual([event.slot, event.grant, event.isolation], [SLOT, SLOT, 'worker']);
  const status = kernel.components().find((c) => c.slot === SLOT);
  assert.equal(status?.isolation, 'worker');
  assert.match(status?.withdrawn?.reason ?? '', /stopped 3 times within 10 min .*25 ms slice/);
  assert.ok(Date.parse(status?.withdrawn?.at ?? '') > 0, 'the withdrawal names its time');
  assert.equal(warnings.filter((w) => w.includes('lost its inline grant')).length, 1, 'one warning');

  // In a worker the attack runs to its own time limit while the neighbour keeps answering, and it
  // warns no more.
  const attacking = kernel.invokeTool('attack-loop', { attack: true });
  assert.ok((await neighbourCalls(kernel, attacking)) > 0, 'echo answered while the attack ran');
  const error = await rejectsWithCode(attacking, 'TITAN_E_TIMEOUT');
  assert.match(error.message, /did not answer within 1000 ms/);
  assert.deepEqual(await kernel.invokeTool('attack-loop', { attack: false }), { ok: true });
  assert.equal(warnings.filter((w) => w.includes('lost its inline grant')).length, 1);

  // Stopped, the home's files say so: titan components and titan security audit name the withdrawal.
  await kernel.close();
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ kernel: { inlineGrants: [SLOT] } }));
  const listed = JSON.parse((await runTitan(['components', '--json'], home)).stdout) as { components: ComponentStatus[] };
  const offline = listed.components.find((c) => c.slot === SLOT);
  assert.deepEqual([offline?.isolation, offline?.withdrawn?.grant], ['worker', SLOT]);
  const audit = JSON.parse((await runTitan(['security', 'audit', '--json'], home)).stdout) as { findings: Array<{ message: string; fix?: string }> };
  const finding = audit.findings.find((f) => f.message.includes(`kernel withdrew it at ${offline?.withdrawn?.at}`));
  assert.match(finding?.fix ?? '', /titan components regrant tool\/attack-loop/);

  // A restart keeps it in a worker, its grant still in config.json.
  const again = await reopenKernel(home, { config: { inlineGrants: [SLOT] } });
  t.after(() => again.close());
  await again.restoreDeployments();
  const restored = again.components().find((c) => c.slot === SLOT);
  assert.equal(restored?.isolation, 'worker');
  assert.equal(restored?.withdrawn?.grant, SLOT);

  // The owner's word puts it back inline, and that too is kept.
  const lifted = await again.regrant('tool', 'attack-loop');
  assert.deepEqual(
    lifted.map((w) => w.slot),
    [SLOT],
  );
  const regranted = again.components().find((c) => c.slot === SLOT);
  assert.equal(regranted?.isolation, 'inline');
  assert.equal(regranted?.withdrawn, undefined);
  assert.deepEqual((await GrantWithdrawals.open(withdrawalsFile(home))).list(), []);
  await rejectsWithCode(again.regrant('tool', 'attack-loop'), 'TITAN_E_NOT_FOUND');
});

test('a granted component that answers keeps its grant however often it is called', async (t) => {
  const { kernel, home } = await kernelFor(t, ['attack-loop'], { config: { inlineGrants: [SLOT] } });
  for (let i = 0; i < 200; i++) assert.deepEqual(await kernel.invokeTool('attack-loop', { attack: false }), { ok: true });
  assert.equal(kernel.components().find((c) => c.slot === SLOT)?.isolation, 'inline');
  assert.deepEqual(kernel.withdrawals.list(), []);
  assert.deepEqual((await GrantWithdrawals.open(withdrawalsFile(home))).list(), []);
});

test('stops count within the window only: spread-out stops never withdraw a grant', async (t) => {
  const { home } = await kernelFor(t);
  const withdrawals = await GrantWithdrawals.open(withdrawalsFile(home));
  const manifest = { kind: 'tool', name: 'spiky', version: '1.0.0', digest: `sha256:${'0'.repeat(64)}` } as PublishedManifest;
  const limits = { inlineGrantStops: 3, inlineGrantStopMinutes: 10, inlineSliceMs: 25 };
  const minute = 60_000;
  // Two stops every 11 minutes, for a day: never three inside ten minutes.
  for (let at = 0; at < 24 * 60 * minute; at += 11 * minute) {
    assert.equal(withdrawals.stopped('tool/spiky', manifest, limits, at), undefined);
    assert.equal(withdrawals.stopped('tool/spiky', manifest, limits, at + 1000), undefined);
  }
  // A third inside the window withdraws it, once.
  const day = 24 * 60 * minute;
  withdrawals.stopped('tool/spiky', manifest, limits, day);
  withdrawals.stopped('tool/spiky', manifest, limits, day + minute);
  const withdrawal = withdrawals.stopped('tool/spiky', manifest, limits, day + 9 * minute);
  assert.equal(withdrawal?.stops, 3);
  assert.equal(withdrawals.stopped('tool/spiky', manifest, limits, day + 9 * minute + 1), undefined);
  await withdrawals.saved();
  assert.equal((await GrantWithdrawals.open(withdrawalsFile(home))).of('tool/spiky')?.at, new Date(day + 9 * minute).toISOString());
});
