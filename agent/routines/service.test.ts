// Routines on a clock moved by hand, against the real store: cron runs at their time in their time
// zone, quiet hours, the concurrency policies, the missed-run policy across a kernel restart, the
// message trigger, webhook secrets, and bad input refused with nothing stored.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { Agent } from '../loop/agent.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';
import { scriptedModel } from '../../test/support/model-double.ts';
import { TEST_CACHE, tempHome } from '../../test/support/kernel.ts';
import { ManualClock } from '../../test/support/manual-clock.ts';
import { RoutineService } from './service.ts';

/** A host-side tool whose calls the test sees, and can hold open. */
class Probe implements ToolSource {
  calls: number[] = [];
  running = 0;
  maxRunning = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  readonly clock: ManualClock;
  constructor(clock: ManualClock) {
    this.clock = clock;
  }
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }
  tools(): ToolInfo[] {
    return [{ name: 'probe', description: 'records a call', schema: { type: 'object' }, needsApproval: false, digest: 'probe', sideEffects: false }];
  }
  owns = (name: string) => name === 'probe';
  async invoke(_name: string, input: string): Promise<string> {
    this.calls.push(this.clock.now());
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await this.#gate;
    this.running--;
    return JSON.stringify({ probed: JSON.parse(input) });
  }
  cancel(): void {}
}

const at = (iso: string) => Date.parse(iso);
let home: string;
let cleanup: () => Promise<void>;
let kernel: Kernel;
let agent: Agent;
let clock: ManualClock;
let probe: Probe;
let service: RoutineService;

async function startService(): Promise<void> {
  agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: scriptedModel([]) });
  await agent.start();
  agent.tools.addSource(probe);
  service = await RoutineService.start({ kernel, agent, ownerId: 'ada', clock });
}

async function stopService(): Promise<void> {
  await service.idle();
  await service.close();
  await agent.close();
}

before(async () => {
  ({ home, cleanup } = await tempHome('titan-routines-'));
  kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
});
after(async () => {
  await kernel.close();
  await cleanup();
});
beforeEach(async () => {
  clock = new ManualClock(at('2026-12-05T05:00:00Z'));
  probe = new Probe(clock);
  for (const r of await kernel.store.op('routines.list')) await kernel.store.op('routines.delete', { id: r.id });
  await startService();
});

describe('schedule', () => {
  test('a cron routine runs at its time in its own time zone, not before', async () => {
    const berlin = (await service.add({ name: 'berlin', cron: '0 7 * * *', timezone: 'Europe/Berlin', tool: 'probe', args: { n: 1 } })).routine;
    const newYork = (await service.add({ name: 'new-york', cron: '0 7 * * *', timezone: 'America/New_York', tool: 'probe' })).routine;
    assert.equal(berlin.nextRunAt, at('2026-12-05T06:00:00Z'), '07:00 in Berlin is 06:00 UTC in December');
    assert.equal(newYork.nextRunAt, at('2026-12-05T12:00:00Z'));
    await clock.advance(at('2026-12-05T05:59:59Z'));
    assert.deepEqual(probe.calls, []);
    await clock.advance(at('2026-12-05T06:00:00Z'));
    await service.idle();
    assert.deepEqual(probe.calls, [at('2026-12-05T06:00:00Z')]);
    const [run] = await service.runs('berlin');
    assert.deepEqual([run.trigger, run.outcome, run.scheduledAt, run.startedAt], ['cron', 'succeeded', at('2026-12-05T06:00:00Z'), at('2026-12-05T06:00:00Z')]);
    assert.deepEqual(JSON.parse(run.output ?? ''), { probed: { n: 1 } });
    assert.equal(service.find('berlin').nextRunAt, at('2026-12-06T06:00:00Z'), 'the next run is the next day');
    await clock.advance(at('2026-12-05T12:00:00Z'));
    await service.idle();
    assert.equal(probe.calls.length, 2);
    await stopService();
  });

  test('an invalid cron expression or time zone is a coded error and stores nothing', async () => {
    for (const [input, code] of [
      [{ name: 'bad', cron: '61 * * * *', tool: 'probe' }, 'TITAN_E_ROUTINE_CRON'],
      [{ name: 'bad', cron: 'every morning', tool: 'probe' }, 'TITAN_E_ROUTINE_CRON'],
      [{ name: 'bad', cron: '0 7 * * *', timezone: 'Mars/Olympus', tool: 'probe' }, 'TITAN_E_ROUTINE_TIMEZONE'],
      [{ name: 'bad', cron: '0 7 * * *', tool: 'probe', quietHours: '25:00-07:00' }, 'TITAN_E_ROUTINE_INVALID'],
      [{ name: 'bad', cron: '0 7 * * *' }, 'TITAN_E_ROUTINE_INVALID'],
    ] as const) {
      await assert.rejects(service.add(input), (e: unknown) => isTitanError(e) && e.code === code, `${JSON.stringify(input)} -> ${code}`);
    }
    assert.deepEqual(service.list(), []);
    assert.deepEqual(await kernel.store.op('routines.list'), []);
    await stopService();
  });

  test('runs due in the quiet hours are skipped and recorded; a run by hand is not', async () => {
    clock.t = at('2026-12-05T21:58:30Z');
    await service.add({ name: 'quiet', cron: '* * * * *', timezone: 'UTC', quietHours: '22:00-07:00', tool: 'probe' });
    await clock.advance(at('2026-12-05T22:02:00Z'));
    await service.idle();
    const runs = (await service.runs('quiet')).reverse();
    assert.deepEqual(
      runs.map((r) => [new Date(r.scheduledAt).toISOString().slice(11, 16), r.outcome]),
      [
        ['21:59', 'succeeded'],
        ['22:00', 'skipped'],
        ['22:01', 'skipped'],
        ['22:02', 'skipped'],
      ],
    );
    assert.match(runs[1].error ?? '', /quiet hours 22:00-07:00 \(UTC\)/);
    assert.equal(probe.calls.length, 1);
    const manual = await service.run('quiet').done;
    assert.equal(manual.outcome, 'succeeded');
    await stopService();
  });
});

describe('concurrency policy', () => {
  for (const [policy, expected] of [
    ['skip', { second: 'skipped', calls: 1, max: 1 }],
    ['queue', { second: 'succeeded', calls: 2, max: 1 }],
    ['allow', { second: 'succeeded', calls: 2, max: 2 }],
  ] as const) {
    test(`${policy}: a run while the previous one still runs`, async () => {
      await service.add({ name: `c-${policy}`, tool: 'probe', concurrency: policy });
      probe.hold();
      const first = service.run(`c-${policy}`);
      await new Promise((resolve) => setImmediate(resolve));
      const second = service.run(`c-${policy}`);
      // The second run as recorded while the first still runs (its write lands in a moment).
      const expected2 = { skip: 'skipped', queue: 'queued', allow: 'running' }[policy];
      let seen: string | undefined;
      for (let i = 0; i < 200 && seen !== expected2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen = (await service.runs(`c-${policy}`)).find((r) => r.id === second.id)?.outcome;
      }
      assert.equal(seen, expected2);
      // Both calls in the tool at once when allowed; otherwise only the first.
      for (let i = 0; i < 200 && probe.running < expected.max; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(probe.running, expected.max);
      probe.release();
      assert.equal((await first.done).outcome, 'succeeded');
      assert.equal((await second.done).outcome, expected.second);
      assert.equal(probe.calls.length, expected.calls);
      assert.equal(probe.maxRunning, expected.max);
      await stopService();
    });
  }
});

describe('restart', () => {
  for (const [policy, outcome] of [
    ['run_once', 'succeeded'],
    ['skip', 'skipped'],
  ] as const) {
    test(`missed runs while Titan was down (${policy})`, async () => {
      await service.add({ name: `missed-${policy}`, cron: '0 * * * *', timezone: 'UTC', missed: policy, tool: 'probe' });
      await stopService();
      // Down for five hours: the kernel closes and opens again on the same home.
      await kernel.close();
      kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
      await kernel.restoreDeployments();
      clock = new ManualClock(at('2026-12-05T10:30:00Z'));
      probe = new Probe(clock);
      await startService();
      await service.idle();
      const runs = await service.runs(`missed-${policy}`);
      assert.deepEqual(
        runs.map((r) => [r.trigger, r.outcome, r.scheduledAt]),
        [['missed', outcome, at('2026-12-05T06:00:00Z')]],
        'one run for all the missed ones, for the first of them',
      );
      assert.equal(probe.calls.length, policy === 'run_once' ? 1 : 0);
      assert.equal(service.find(`missed-${policy}`).nextRunAt, at('2026-12-05T11:00:00Z'), 'the schedule goes on from now');
      await clock.advance(at('2026-12-05T11:00:00Z'));
      await service.idle();
      assert.equal((await service.runs(`missed-${policy}`))[0].trigger, 'cron');
      await stopService();
    });
  }

  test('a paused routine does not run; resumed, it counts from now', async () => {
    await service.add({ name: 'pausing', cron: '0 * * * *', timezone: 'UTC', tool: 'probe' });
    await service.setEnabled('pausing', false);
    await clock.advance(at('2026-12-05T08:30:00Z'));
    assert.equal(probe.calls.length, 0);
    const resumed = await service.setEnabled('pausing', true);
    assert.equal(resumed.nextRunAt, at('2026-12-05T09:00:00Z'));
    await stopService();
  });
});

describe('event triggers', () => {
  test('a message matching the pattern runs the routine; other messages and its own prompt do not', async () => {
    await service.add({ name: 'on-deploy', onMessage: 'deploy (now|today)', tool: 'probe' });
    const thread = await agent.createThread('ada');
    const sent = await agent.send('ada', thread.id, 'hello there');
    await sent.run.done;
    await service.idle();
    assert.equal(probe.calls.length, 0);
    const again = await agent.send('ada', thread.id, 'Please DEPLOY NOW');
    await again.run.done;
    await service.idle();
    const [run] = await service.runs('on-deploy');
    assert.deepEqual([run.trigger, run.outcome], ['message', 'succeeded']);

    // A prompt routine whose own prompt matches its pattern runs once, not in a loop.
    await service.add({ name: 'loop', onMessage: '^loop', prompt: 'loop again' });
    await (await agent.send('ada', thread.id, 'loop please')).run.done;
    await service.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.idle();
    assert.deepEqual(
      (await service.runs('loop')).map((r) => [r.trigger, r.outcome]),
      [['message', 'succeeded']],
    );
    await stopService();
  });

  test('a webhook runs the routine only with its secret', async () => {
    const { routine, secret } = await service.add({ name: 'hook', webhook: true, tool: 'probe' });
    assert.ok(secret && secret.length >= 32);
    assert.deepEqual(routine.trigger, { kind: 'webhook', path: '/hooks/routines/hook' }, 'the secret is not shown again');
    for (const wrong of [undefined, '', 'nope', `${secret}x`]) {
      assert.throws(
        () => service.webhook('hook', wrong, '{}'),
        (e: unknown) => isTitanError(e, 'TITAN_E_ROUTINE_SECRET'),
      );
    }
    assert.throws(
      () => service.webhook('no-such', secret, '{}'),
      (e: unknown) => isTitanError(e, 'TITAN_E_ROUTINE_SECRET'),
    );
    assert.equal((await service.runs('hook')).length, 0);
    const run = await service.webhook('hook', secret, '{"ref":"main"}').done;
    assert.deepEqual([run.trigger, run.outcome], ['webhook', 'succeeded']);
    await stopService();
  });
});
