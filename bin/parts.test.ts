// The start-up registry: dependency order, reverse close, and a failed start closing what started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCpu, describeTimings, Parts, type Part, threadCpuMs } from './parts.ts';

function recorder() {
  const log: string[] = [];
  const part = (name: string, needs: string[] = [], fail?: 'start' | 'close'): Part => ({
    name,
    needs,
    async start() {
      if (fail === 'start') throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async close() {
      log.push(`close ${name}`);
      if (fail === 'close') throw new Error(`${name} cannot close`);
    },
  });
  return { log, part };
}

test('parts start in dependency order, whatever order they were added in, and close in reverse', async () => {
  const { log, part } = recorder();
  const parts = new Parts()
    .add(part('gateway', ['agent', 'channels']))
    .add(part('kernel'))
    .add(part('channels', ['agent']))
    .add(part('agent', ['kernel']));
  await parts.start();
  assert.deepEqual(log.splice(0), ['start kernel', 'start agent', 'start channels', 'start gateway']);
  await parts.close();
  assert.deepEqual(log, ['close gateway', 'close channels', 'close agent', 'close kernel']);
  await parts.close(); // closing twice closes nothing twice
  assert.equal(log.length, 4);
});

test('a part that fails to start closes what started before it, in reverse, and its error is the one thrown', async () => {
  const { log, part } = recorder();
  const reported: string[] = [];
  const parts = new Parts((name) => reported.push(name))
    .add(part('kernel'))
    .add(part('mesh', ['kernel'], 'close'))
    .add(part('agent', ['mesh'], 'start'))
    .add(part('gateway', ['agent']));
  await assert.rejects(parts.start(), /agent cannot start/);
  assert.deepEqual(log, ['start kernel', 'start mesh', 'close mesh', 'close kernel']);
  assert.deepEqual(reported, ['mesh'], 'the close that failed is reported, not thrown');
});

test('every started part is closed even when one fails to close; the failure is then thrown', async () => {
  const { log, part } = recorder();
  const parts = new Parts()
    .add(part('kernel'))
    .add(part('mesh', ['kernel'], 'close'))
    .add(part('gateway', ['mesh']));
  await parts.start();
  log.length = 0;
  await assert.rejects(parts.close(), /mesh cannot close/);
  assert.deepEqual(log, ['close gateway', 'close mesh', 'close kernel']);
});

test('an unknown dependency, a circle or a name used twice is refused before anything starts', async () => {
  const { log, part } = recorder();
  await assert.rejects(new Parts().add(part('a', ['nope'])).start(), { code: 'TITAN_E_USAGE', message: /"a" needs "nope"/ });
  await assert.rejects(
    new Parts()
      .add(part('k'))
      .add(part('a', ['b']))
      .add(part('b', ['a']))
      .start(),
    { message: /circle: a -> b -> a/ },
  );
  assert.deepEqual(log, [], 'nothing started');
  assert.throws(() => new Parts().add(part('a')).add(part('a')), /registered twice/);
});

test('each started part has its time and the memory after it, and the start line names them in order', async () => {
  const { part } = recorder();
  const parts = new Parts().add(part('kernel')).add(part('gateway', ['kernel']));
  await parts.start();
  assert.deepEqual(
    parts.timings.map((t) => t.name),
    ['kernel', 'gateway'],
  );
  assert.ok(parts.timings.every((t) => t.ms >= 0 && t.rssMb > 0));
  assert.match(describeTimings(120, parts.timings), /^serving \d+ ms after the process started: modules 120, kernel \d+, gateway \d+ \(ms; RSS \d+ MB\)$/);
  assert.match(describeTimings(120, parts.timings, true), /\(ms; RSS \d+ MB; modules from the start bundle\)$/);
});

test("Node's own start-up, when known, is listed before the modules and taken out of them", async () => {
  const { part } = recorder();
  const parts = new Parts().add(part('kernel'));
  await parts.start();
  assert.match(describeTimings(120, parts.timings, false, 45), /^serving \d+ ms after the process started: node 45, modules 75, kernel \d+ \(ms;/);
  assert.match(describeCpu(100, parts.timings, 30), /^start CPU \d+ ms \(main thread\): node 30, modules 70, kernel \d+$/);
});

test('the parts started after the one marked ready are listed after ready, with when ready came', async () => {
  const { part } = recorder();
  const parts = new Parts()
    .add(part('kernel'))
    .add({ ...part('gateway', ['kernel']), ready: true })
    .add(part('memory', ['gateway']));
  await parts.start();
  assert.deepEqual(
    parts.timings.map((t) => [t.name, t.afterReady]),
    [
      ['kernel', false],
      ['gateway', false],
      ['memory', true],
    ],
  );
  const [kernel, gateway] = parts.timings;
  const readyAt = Math.round(120 + kernel.ms + gateway.ms);
  assert.match(
    describeTimings(120, parts.timings),
    new RegExp(`: modules 120, kernel \\d+, gateway \\d+; after ready \\(at ${readyAt}\\): memory \\d+ \\(ms; RSS`),
  );
  assert.match(describeCpu(100, parts.timings), /: modules 100, kernel \d+, gateway \d+; after ready \(at \d+\): memory \d+$/);
});

test("each part's CPU time is the main thread's while it started, never more than its time", async () => {
  const busy = (ms: number): Part => ({
    name: `busy ${ms}`,
    async start() {
      for (const end = threadCpuMs() + ms; threadCpuMs() < end; ); // on CPU time: a busy machine only stretches it
      await new Promise((resolve) => setTimeout(resolve, 30)); // waiting costs no CPU
    },
  });
  const parts = new Parts().add(busy(40));
  await parts.start();
  const [timing] = parts.timings;
  assert.ok(timing.cpuMs >= 40 && timing.cpuMs <= timing.ms, `cpu ${timing.cpuMs} ms of ${timing.ms} ms`);
  assert.ok(timing.ms - timing.cpuMs >= 25, 'the wait is in its time, not in its CPU');
  assert.match(describeCpu(100, parts.timings), /^start CPU \d+ ms \(main thread\): modules 100, busy 40 \d+$/);
});
