import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { InstancePool } from './pool.ts';

// Plain objects stand in for component instances: the pool only hands them out and takes them back.
type Fake = { id: number };

function factory(fail: (n: number) => boolean = () => false) {
  let n = 0;
  const made: Fake[] = [];
  return {
    made,
    create: async (): Promise<Fake> => {
      n++;
      if (fail(n)) throw new Error(`instance ${n} failed to start`);
      const instance = { id: n };
      made.push(instance);
      return instance;
    },
  };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Lets queued promise callbacks and one turn of the event loop run. */
async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

const never = () => false;
const always = () => true;

test('never more instances than max; callers beyond it wait, then reuse the released instances', async () => {
  const { create, made } = factory();
  const pool = new InstancePool(create, 2);
  const hold = gate();
  const used: number[] = [];
  const calls = Array.from({ length: 5 }, () =>
    pool.use(async (i) => {
      used.push(i.id);
      await hold.opened;
      return i.id;
    }, never),
  );
  await settle();
  assert.deepEqual(pool.stats(), { live: 2, idle: 0, busy: 2, waiting: 3, created: 2, discarded: 0, max: 2 });

  hold.open();
  const results = await Promise.all(calls);
  assert.equal(made.length, 2, 'only two instances were ever created');
  assert.ok(results.every((id) => id === 1 || id === 2));
  assert.deepEqual(pool.stats(), { live: 2, idle: 2, busy: 0, waiting: 0, created: 2, discarded: 0, max: 2 });
});

test('a max below 1 still gives one instance', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 0);
  assert.equal(await pool.use((i) => i.id, never), 1);
  assert.equal(pool.stats().max, 1);
});

test('waiting callers are served in the order they arrived', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 1);
  const first = gate();
  const order: string[] = [];
  const busy = pool.use(async () => {
    await first.opened;
    order.push('first');
  }, never);
  await settle();
  const waiters = ['a', 'b', 'c', 'd'].map((name) => pool.use(() => void order.push(name), never));
  await settle();
  assert.equal(pool.stats().waiting, 4);
  first.open();
  await Promise.all([busy, ...waiters]);
  assert.deepEqual(order, ['first', 'a', 'b', 'c', 'd']);
});

test('a poisoned instance is dropped and a waiter gets a fresh one, never the poisoned one', async () => {
  const { create, made } = factory();
  const pool = new InstancePool(create, 1);
  const fail = gate();
  const poisoned = pool.use(async (i) => {
    await fail.opened;
    throw new Error(`instance ${i.id} trapped`);
  }, always);
  await settle();
  const waiter = pool.use((i) => i.id, never);
  await settle();
  assert.equal(pool.stats().waiting, 1);

  fail.open();
  await assert.rejects(poisoned, /instance 1 trapped/);
  assert.equal(await waiter, 2, 'the waiter ran on a new instance');
  assert.equal(made.length, 2);
  assert.deepEqual(pool.stats(), { live: 1, idle: 1, busy: 0, waiting: 0, created: 2, discarded: 1, max: 1 });
  assert.equal(await pool.use((i) => i.id, never), 2, 'the poisoned instance is never handed out again');
});

test('an ordinary error (not poisoning) keeps the instance', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 1);
  await assert.rejects(
    pool.use(() => {
      throw new Error('invalid input');
    }, never),
    /invalid input/,
  );
  assert.equal(await pool.use((i) => i.id, never), 1);
  assert.equal(pool.stats().discarded, 0);
});

test('a poisoned instance with nobody waiting frees its place for the next caller', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 1);
  await assert.rejects(pool.use(() => Promise.reject(new Error('trap')), always));
  assert.deepEqual({ live: pool.stats().live, idle: pool.stats().idle }, { live: 0, idle: 0 });
  assert.equal(await pool.use((i) => i.id, never), 2);
});

test('a failed instance creation is reported to the caller and frees its place', async () => {
  const { create } = factory((n) => n === 1);
  const pool = new InstancePool(create, 1);
  await assert.rejects(
    pool.use((i) => i.id, never),
    /instance 1 failed to start/,
  );
  assert.equal(pool.stats().live, 0);
  assert.equal(await pool.use((i) => i.id, never), 2);
});

test('when the replacement for a poisoned instance fails to start, later waiters still get served', {}, async () => {
  const { create } = factory((n) => n === 2);
  const pool = new InstancePool(create, 1);
  const fail = gate();
  const poisoned = pool.use(async () => {
    await fail.opened;
    throw new Error('trap');
  }, always);
  await settle();
  let secondSettled = false;
  const first = assert.rejects(
    pool.use((i) => i.id, never),
    /instance 2 failed to start/,
  );
  const second = pool.use((i) => i.id, never);
  void second.finally(() => (secondSettled = true)).catch(() => {});
  await settle();
  fail.open();
  await assert.rejects(poisoned);
  await first;
  await settle(10);
  assert.ok(secondSettled, `the second waiter is still stuck: ${JSON.stringify(pool.stats())}`);
  assert.equal(await second, 3);
});

test('warm creates instances ahead of demand, up to max', async () => {
  const { create, made } = factory();
  const pool = new InstancePool(create, 3);
  await pool.warm(2);
  assert.deepEqual({ live: pool.stats().live, idle: pool.stats().idle, created: pool.stats().created }, { live: 2, idle: 2, created: 2 });
  await pool.warm(10);
  assert.equal(made.length, 3);
  await pool.use((i) => i.id, never);
  assert.equal(made.length, 3, 'a call on a warm pool creates nothing');
});

test('drain waits for calls in flight, then frees every idle instance', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 2);
  await pool.warm(2);
  const finish = gate();
  const inFlight = pool.use(async (i) => {
    await finish.opened;
    return i.id;
  }, never);
  await settle();

  let drained = false;
  const draining = pool.drain().then(() => (drained = true));
  await settle();
  assert.equal(drained, false, 'drain must not resolve while a call runs');

  finish.open();
  assert.ok(typeof (await inFlight) === 'number', 'the call in flight finished normally');
  await draining;
  assert.equal(drained, true);
  assert.deepEqual({ live: pool.stats().live, idle: pool.stats().idle, busy: pool.stats().busy }, { live: 0, idle: 0, busy: 0 });
});

test('drain waits for queued callers too: they are served before the pool empties', {}, async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 1);
  const finish = gate();
  const order: string[] = [];
  const busy = pool.use(async () => {
    await finish.opened;
    order.push('busy');
  }, never);
  await settle();
  const queued = pool.use(() => void order.push('queued'), never);
  await settle();
  const draining = pool.drain().then(() => order.push('drained'));
  finish.open();
  await Promise.all([busy, queued, draining]);
  assert.deepEqual(order, ['busy', 'queued', 'drained']);
});

test('drain of an idle pool resolves at once', async () => {
  const { create } = factory();
  const pool = new InstancePool(create, 2);
  await pool.warm(1);
  await pool.drain();
  assert.equal(pool.stats().live, 0);
});
