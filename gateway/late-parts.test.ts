// The gateway of a start whose later parts (channels, jobs, routines, reflexes, memory) run after
// ready: health and ready answer at once, every other request waits for those parts and then finds
// them; if they fail to start, the waiting requests are told so with a code. And the store's
// operations, while it yields, let a request that arrived first go ahead of them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, type Harness } from '../test/gateway/support.ts';
import type { LateParts } from './late-parts.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

test('before the later parts run, health and ready answer; other requests wait for them, then are answered', async (t) => {
  const late = Promise.withResolvers<LateParts>();
  const gw = await openGateway(harness, { opening: late.promise });
  t.after(() => gw.close());
  assert.equal((await gw.call('GET', '/api/health', undefined, null)).status, 200);
  assert.equal((await gw.call('GET', '/api/ready', undefined, null)).status, 200);

  let opened = false;
  const waiting = gw.call('GET', '/api/channels');
  await new Promise((resolve) => setTimeout(resolve, 100)); // the request has reached the gateway
  opened = true;
  late.resolve({ channels: undefined, jobs: undefined, routines: undefined });
  const answer = await waiting;
  assert.equal(opened, true, 'answered only once the later parts ran');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { channels: [] });
  assert.equal(gw.gateway.deps.opening, undefined, 'the gate is gone once open');
  assert.equal((await gw.call('GET', '/api/components')).status, 200);
});

test('when the later parts fail to start, the requests that waited for them get TITAN_E_NOT_READY', async (t) => {
  const late = Promise.withResolvers<LateParts>();
  const gw = await openGateway(harness, { opening: late.promise });
  t.after(() => gw.close());
  const waiting = gw.call('GET', '/api/components');
  await new Promise((resolve) => setTimeout(resolve, 100));
  late.reject(new Error('memory cannot open its store'));
  const answer = await waiting;
  assert.equal(answer.status, 503);
  assert.equal(answer.body.error.code, 'TITAN_E_NOT_READY');
  assert.match(answer.body.error.message, /memory cannot open its store/);
});

test("while the store yields, an operation lets what was already queued on the event loop run first; otherwise it answers in the caller's turn", async () => {
  const order = async (yielding: boolean) => {
    const seen: string[] = [];
    harness.kernel.store.yielding = yielding;
    try {
      setImmediate(() => seen.push('immediate'));
      await harness.kernel.store.status();
      seen.push('op');
      await new Promise((resolve) => setImmediate(resolve));
      return seen;
    } finally {
      harness.kernel.store.yielding = false;
    }
  };
  assert.deepEqual(await order(false), ['op', 'immediate']);
  assert.deepEqual(await order(true), ['immediate', 'op']);
});
