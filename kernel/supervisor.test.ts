import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, type KernelEvents } from './events.ts';
import { Supervisor, sleep } from './supervisor.ts';

type Restart = KernelEvents['supervisor.restarted'];

function supervised() {
  const bus = new EventBus();
  const restarts: Restart[] = [];
  bus.on('supervisor.restarted', (event) => restarts.push(event));
  return { bus, restarts, supervisor: new Supervisor(bus) };
}

/** Resolves once `count` restarts have been reported. */
function restartsReached(bus: EventBus, restarts: Restart[], count: number): Promise<void> {
  if (restarts.length >= count) return Promise.resolve();
  return new Promise((resolve) => {
    const off = bus.on('supervisor.restarted', () => {
      if (restarts.length >= count) {
        off();
        resolve();
      }
    });
  });
}

test('a loop that throws is restarted, each time after a longer delay up to the ceiling', async () => {
  const { bus, restarts, supervisor } = supervised();
  let runs = 0;
  supervisor.run(
    'flaky',
    async () => {
      runs++;
      throw new Error(`failure ${runs}`);
    },
    { initialMs: 1, maxMs: 8 },
  );

  await restartsReached(bus, restarts, 6);
  await supervisor.stop();
  assert.deepEqual(
    restarts.slice(0, 6).map((r) => r.delayMs),
    [1, 2, 4, 8, 8, 8],
  );
  assert.deepEqual(
    restarts.slice(0, 6).map((r) => r.attempt),
    [1, 2, 3, 4, 5, 6],
  );
  assert.ok(restarts.every((r) => r.loop === 'flaky'));
  assert.equal(restarts[0].error, 'failure 1');
  assert.equal(restarts[2].error, 'failure 3');

  const [status] = supervisor.status();
  assert.equal(status.name, 'flaky');
  assert.equal(status.running, false);
  assert.equal(status.restarts, restarts.length);
  assert.match(status.lastError ?? '', /^failure \d+$/);
});

test('a loop that returns while the kernel runs counts as a failure and is restarted', async () => {
  const { bus, restarts, supervisor } = supervised();
  let runs = 0;
  supervisor.run(
    'quitter',
    async () => {
      runs++;
    },
    { initialMs: 1, maxMs: 1 },
  );
  await restartsReached(bus, restarts, 2);
  await supervisor.stop();
  assert.ok(runs >= 2);
  assert.match(restarts[0].error, /returned while the kernel was running/);
});

test('the backoff starts again from the first delay after the loop stayed up long enough', async () => {
  const { bus, restarts, supervisor } = supervised();
  // Each run stays up 20 ms and stableMs is 0, so every failure counts as the first one.
  supervisor.run(
    'steady',
    async () => {
      await sleep(20);
      throw new Error('went down after a while');
    },
    { initialMs: 1, maxMs: 1000, stableMs: 0 },
  );
  await restartsReached(bus, restarts, 3);
  await supervisor.stop();
  assert.deepEqual(
    restarts.slice(0, 3).map((r) => r.delayMs),
    [1, 1, 1],
  );
});

test('stop() aborts a running loop through its signal and waits for it to finish', async () => {
  const { restarts, supervisor } = supervised();
  const events: string[] = [];
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  supervisor.run('worker', async (signal) => {
    events.push('started');
    started();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await sleep(5);
    events.push('cleaned up');
  });
  await running;
  await supervisor.stop();
  assert.deepEqual(events, ['started', 'cleaned up'], 'stop() resolved only after the loop finished its cleanup');
  assert.equal(restarts.length, 0, 'an aborted loop is not restarted');
  assert.deepEqual(
    supervisor.status().map((s) => s.running),
    [false],
  );
});

test('stop() ends a loop that is waiting out its backoff, without waiting for the delay', async () => {
  const { bus, restarts, supervisor } = supervised();
  supervisor.run(
    'slow-backoff',
    async () => {
      throw new Error('down');
    },
    { initialMs: 3_600_000 },
  );
  await restartsReached(bus, restarts, 1);
  await supervisor.stop(); // with an hour of backoff pending, this would hang the test if the sleep ignored the signal
  assert.equal(restarts.length, 1);
  assert.deepEqual(
    supervisor.status().map((s) => s.running),
    [false],
  );
});

test('several loops are supervised independently', async () => {
  const { bus, restarts, supervisor } = supervised();
  let healthyRuns = 0;
  supervisor.run('healthy', async (signal) => {
    healthyRuns++;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  });
  supervisor.run(
    'broken',
    async () => {
      throw new Error('broken');
    },
    { initialMs: 1, maxMs: 2 },
  );
  await restartsReached(bus, restarts, 3);
  await supervisor.stop();
  assert.equal(healthyRuns, 1, 'the healthy loop was never restarted');
  assert.ok(restarts.every((r) => r.loop === 'broken'));
  const byName = Object.fromEntries(supervisor.status().map((s) => [s.name, s]));
  assert.equal(byName.healthy.restarts, 0);
  assert.ok(byName.broken.restarts >= 3);
});
