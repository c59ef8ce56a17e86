// The kernel's isolation pool: a deployment's fixed part is told to a thread once, calls queue in order,
// a stopped call ends its thread (which is replaced), close ends them all, and a call waiting on a
// nested call lends its thread to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallStopped, IsolationPool } from './isolation-pool.ts';
import type { CallMessage, DeploymentBase } from './worker-protocol.ts';

// A stand-in thread: answers with its thread id, the deployment it was told about and the call's
// argument; "spin" never returns (only terminating the thread ends it).
const THREAD = `
import { parentPort, threadId } from 'node:worker_threads';
const told = new Map();
parentPort.on('message', (m) => {
  if (m.base) told.set(m.deploymentId, m.base.dir);
  if (m.fn === 'spin') for (;;) {}
  if (m.fn === 'hold') return setTimeout(() => parentPort.postMessage({ taskId: m.taskId, outcome: { kind: 'ok', value: { thread: threadId, arg: m.args[0] } } }), m.args[0]);
  parentPort.postMessage({ taskId: m.taskId, outcome: { kind: 'ok', value: { thread: threadId, dir: told.get(m.deploymentId), base: m.base !== undefined, arg: m.args[0] } } });
});`;
const ENTRY = new URL(`data:text/javascript,${encodeURIComponent(THREAD)}`);

const base = (id: string) => ({ deploymentId: id, dir: `/components/${id}` }) as DeploymentBase;
let calls = 0;
const call = (deploymentId: string, fn: string, arg: unknown): CallMessage => ({
  deploymentId,
  fn,
  args: [arg],
  taskId: `t${++calls}`,
  started: new BigInt64Array(new SharedArrayBuffer(8)),
});
type Answer = { thread: number; dir: string; base: boolean; arg: unknown };
const value = async (handle: { outcome: Promise<unknown> }) => ((await handle.outcome) as { value: Answer }).value;

test('a thread is told a deployment once; its later calls carry only their own fields', async () => {
  const pool = new IsolationPool(ENTRY, 1, 30_000);
  try {
    const first = await value(pool.run(base('a'), call('a', 'echo', 1)));
    const second = await value(pool.run(base('a'), call('a', 'echo', 2)));
    assert.deepEqual([first.base, first.dir, first.arg], [true, '/components/a', 1]);
    assert.deepEqual([second.base, second.dir, second.arg, second.thread], [false, '/components/a', 2, first.thread]);
    pool.forget('a');
    assert.equal((await value(pool.run(base('a'), call('a', 'echo', 3)))).base, true, 'told again after it was forgotten');
  } finally {
    await pool.close();
  }
});

test('calls beyond the threads wait in order; stopping a running call ends its thread and the queue moves on', async () => {
  const pool = new IsolationPool(ENTRY, 1, 30_000);
  try {
    const spinning = pool.run(base('b'), call('b', 'spin', 0));
    const queued = pool.run(base('b'), call('b', 'echo', 'after'));
    const dropped = pool.run(base('b'), call('b', 'echo', 'never'));
    dropped.stop('cancelled');
    await assert.rejects(dropped.outcome, CallStopped);
    setTimeout(() => spinning.stop('time limit'), 50);
    await assert.rejects(spinning.outcome, (error: Error) => error instanceof CallStopped && error.message === 'time limit');
    const answer = await value(queued);
    assert.equal(answer.arg, 'after');
    assert.equal(answer.base, true, 'a fresh thread replaced the stopped one and was told the deployment');
  } finally {
    await pool.close();
  }
});

test('closing rejects what waits, and a closed pool takes no calls', async () => {
  const pool = new IsolationPool(ENTRY, 1, 30_000);
  const spinning = pool.run(base('c'), call('c', 'spin', 0));
  const waiting = pool.run(base('c'), call('c', 'echo', 1));
  const refused = Promise.all([assert.rejects(spinning.outcome, CallStopped), assert.rejects(waiting.outcome, CallStopped)]);
  await pool.close();
  await refused;
  await assert.rejects(pool.run(base('c'), call('c', 'echo', 2)).outcome, CallStopped);
});

test('a call waiting on a nested call lends its thread: the nested call runs at once, ahead of the queue', async () => {
  const pool = new IsolationPool(ENTRY, 1, 30_000);
  try {
    const holding = pool.run(base('d'), call('d', 'hold', 300));
    const queued = pool.run(base('d'), call('d', 'echo', 'queued'));
    const order: string[] = [];
    void queued.outcome.then(() => order.push('queued'));
    // As the kernel serves the holding call's tool call: on one more thread, before the queued call.
    const inner = await pool.lend(() => value(pool.run(base('d'), call('d', 'echo', 'nested'))));
    order.push('nested');
    const outer = await value(holding);
    await queued.outcome;
    assert.equal(inner.arg, 'nested');
    assert.notEqual(inner.thread, outer.thread, 'the nested call ran on a thread of its own');
    assert.deepEqual(order, ['nested', 'queued'], 'the queued call still waited for a thread');
  } finally {
    await pool.close();
  }
});
