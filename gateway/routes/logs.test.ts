// The Logs page's API: the kernel log's recent lines with filters, followed live over SSE with the
// same filters; the owner's only; a bad filter is a 400; and the words of a message never appear.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, openSse, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  // A kernel that logs (the test kernels do not by default): its lines go to its home and the ring.
  harness = await openHarness({ kernel: { logToFile: true } });
});
after(() => harness.close());

test('recent lines by level and words, then new lines live with the same filters; owner only', async (t) => {
  const gw = await openGateway(harness, {
    steps: [
      [
        { type: 'text', text: 'Noted.' },
        { type: 'stop', reason: 'stop' },
      ],
    ],
  });
  t.after(() => gw.close());

  const recent = await gw.call('GET', '/api/logs?level=info');
  assert.equal(recent.status, 200);
  assert.equal(recent.body.enabled, true);
  assert.ok(recent.body.lines.length > 0, 'the start-up was logged');
  assert.ok(recent.body.lines.every((l: { level: string }) => ['info', 'warn', 'error', 'fatal'].includes(l.level)));

  const live = await openSse(`${gw.url}/api/logs/events?level=warn&text=marker-7f3`, { authorization: `Bearer ${gw.token}` });
  t.after(() => live.close());
  assert.equal(live.response.status, 200);
  harness.kernel.logger.info('marker-7f3 at info: below the filter');
  harness.kernel.logger.warn({ component: 'tool/clock' }, 'marker-7f3 at warn');
  harness.kernel.logger.warn('another warning without the words');
  const seen = await live.until((e) => (e.data as unknown as { msg: string }).msg === 'marker-7f3 at warn');
  assert.equal((seen.data as unknown as { source: string }).source, 'tool/clock');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(live.received.length, 1, 'only the matching line came');

  // The words people write never reach the log at info.
  const thread = await gw.agent.createThread('ada');
  const { run } = await gw.agent.send('ada', thread.id, 'my locker code is walrus-tangerine');
  await run.done;
  assert.deepEqual((await gw.call('GET', '/api/logs?level=debug&text=walrus')).body.lines, []);

  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.equal((await gw.call('GET', '/api/logs', undefined, bob)).status, 403);
  assert.equal((await gw.call('GET', '/api/logs/events', undefined, bob)).status, 403);
  const bad = await gw.call('GET', '/api/logs?level=loud');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'TITAN_E_INVALID_REQUEST');
});
