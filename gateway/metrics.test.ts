// /metrics and /api/ready as an operator meets them: metrics need the token and show turns, tool
// latency, swaps and errors after real traffic; ready is 503 (saying what is missing) until the
// store is migrated and the components serve, health answers throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapBuiltins } from '../kernel/api.ts';
import { publishFixture } from '../test/support/fixtures.ts';
import { toolCall } from '../test/support/model-double.ts';
import { openGateway, openHarness } from '../test/gateway/support.ts';
import { GatewayMetrics, WAITING_LIMIT } from './metrics.ts';

const metric = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)) : false));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

test('/metrics needs the token, and after a turn with a tool call shows the turn, the tool latency, swaps and errors', async (t) => {
  const harness = await openHarness();
  t.after(() => harness.close());
  const gw = await openGateway(harness, {
    steps: [
      [...toolCall(0, 'm1', 'echo', { text: 'measure me' }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'ok' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  t.after(() => gw.close());
  const refused = await gw.call('GET', '/metrics', undefined, null);
  assert.equal(refused.status, 401);

  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'echo' })).body;
  await gw.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  await gw.call('GET', '/api/threads/not-mine');

  // What titan:host/http announces for each outbound exchange (test/kernel/http-host.test.ts).
  harness.kernel.bus.emit('http.request', {
    slot: 'tool/web-fetch',
    version: '1.0.0',
    host: 'example.com',
    method: 'GET',
    status: 200,
    outcome: 'ok',
    ms: 12,
    bytes: 2048,
  });
  harness.kernel.bus.emit('http.request', {
    slot: 'tool/web-fetch',
    version: '1.0.0',
    host: '10.0.0.1',
    method: 'GET',
    status: 0,
    outcome: 'TITAN_E_HTTP_DENIED',
    ms: 1,
    bytes: 0,
  });
  harness.kernel.leaks.redact('a tool printed AKIAIOSFODNN7EXAMPLE', 'tool:shell');
  const answer = await gw.call('GET', '/metrics');
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
  const text = answer.body as string;
  assert.equal(metric(text, 'titan_turns_total', { outcome: 'completed' }), 1);
  assert.equal(metric(text, 'titan_tool_duration_seconds_count', { tool: 'echo', ok: 'true' }), 1);
  assert.equal(metric(text, 'titan_turn_duration_seconds_count', { outcome: 'completed' }), 1);
  assert.equal(metric(text, 'titan_errors_total', { code: 'TITAN_E_NOT_FOUND', source: 'http' }), 1);
  assert.equal(metric(text, 'titan_errors_total', { code: 'TITAN_E_AUTH', source: 'http' }), 1);
  assert.equal(metric(text, 'titan_http_requests_total', { route: '/api/threads/:id/messages', status: '202' }), 1);
  assert.ok((metric(text, 'titan_component_instances', { slot: 'tool/echo', state: 'live' }) ?? 0) >= 1);
  assert.ok(metric(text, 'process_cpu_user_seconds_total') !== undefined, 'default process metrics');
  assert.equal(metric(text, 'titan_component_http_requests_total', { slot: 'tool/web-fetch', outcome: 'ok' }), 1);
  assert.equal(metric(text, 'titan_component_http_requests_total', { slot: 'tool/web-fetch', outcome: 'TITAN_E_HTTP_DENIED' }), 1);
  assert.equal(metric(text, 'titan_component_http_received_bytes_total', { slot: 'tool/web-fetch' }), 2048);
  assert.equal(metric(text, 'titan_secret_redactions_total', { source: 'tool', kind: 'aws-access-key' }), 1);

  // Swaps are counted as they happen; each gateway has its own registry.
  await publishFixture(harness.kernel, 'echo-v2');
  await harness.kernel.deploy({ kind: 'tool', name: 'echo', range: '^1.1.0' });
  await harness.kernel.rollback('tool', 'echo');
  const swapped = (await gw.call('GET', '/metrics')).body as string;
  assert.equal(metric(swapped, 'titan_component_swaps_total', { slot: 'tool/echo', outcome: 'deployed' }), 2, 'the deploy and the swap back');
  const other = await openGateway(harness);
  t.after(() => other.close());
  const fresh = (await other.call('GET', '/metrics')).body as string;
  assert.equal(metric(fresh, 'titan_turns_total', { outcome: 'completed' }), undefined, 'a new gateway starts from zero');
});

test('/api/ready is 503 with what is missing before the components are deployed, 200 after; /api/health answers throughout', async (t) => {
  const harness = await openHarness({ bootstrap: false });
  t.after(() => harness.close());
  let finish!: () => void;
  const starting = new Promise<void>((resolve) => (finish = resolve));
  const gw = await openGateway(harness, { startAgent: false, starting });
  t.after(() => gw.close());

  const before = await gw.call('GET', '/api/ready', undefined, null);
  assert.equal(before.status, 503);
  assert.equal(before.body.error.code, 'TITAN_E_NOT_READY');
  assert.deepEqual(before.body.missing, ['the kernel is still starting', 'store/core is not serving']);
  assert.deepEqual((await gw.call('GET', '/api/health', undefined, null)).body, { ok: true });

  await bootstrapBuiltins(harness.kernel);
  const deployed = await gw.call('GET', '/api/ready', undefined, null);
  assert.deepEqual([deployed.status, deployed.body.missing], [503, ['the kernel is still starting']], 'components serve, startup not yet over');
  finish();
  await starting;
  const ready = await gw.call('GET', '/api/ready', undefined, null);
  assert.equal(ready.status, 200);
  assert.equal(ready.body.ok, true);
  assert.ok(ready.body.components >= 5);
});

test('what happens before prom-client is loaded (at the first scrape) is counted once it is', async (t) => {
  const harness = await openHarness();
  t.after(() => harness.close());
  const metrics = new GatewayMetrics(harness.kernel, () => 0);
  t.after(() => metrics.close());
  metrics.request('GET', '/api/threads', 200, 0.002);
  metrics.error('TITAN_E_NOT_FOUND');
  harness.kernel.bus.emit('component.deployed', { slot: 'tool/echo', version: '9.9.9', digest: 'd', ms: 1 });
  const { body } = await metrics.scrape();
  assert.equal(metric(body, 'titan_http_requests_total', { route: '/api/threads', status: '200' }), 1);
  assert.equal(metric(body, 'titan_errors_total', { code: 'TITAN_E_NOT_FOUND', source: 'http' }), 1);
  assert.equal(metric(body, 'titan_component_swaps_total', { slot: 'tool/echo', outcome: 'deployed' }), 1);
  metrics.request('GET', '/api/threads', 200, 0.002);
  assert.equal(metric((await metrics.scrape()).body, 'titan_http_requests_total', { route: '/api/threads', status: '200' }), 2, 'and afterwards directly');
});

test('an idle gateway never loads prom-client; a busy one nobody scrapes loads it once enough waits, losing nothing', async (t) => {
  const harness = await openHarness();
  t.after(() => harness.close());
  const metrics = new GatewayMetrics(harness.kernel, () => 0);
  t.after(() => metrics.close());
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let i = 0; i < 10; i++) metrics.request('GET', '/api/ready', 200, 0.001);
  await wait(1500); // past when it used to load on its own
  assert.equal(metrics.loaded, false, 'loaded with nobody scraping');

  for (let i = 0; i < WAITING_LIMIT; i++) metrics.request('GET', '/api/threads', 200, 0.001);
  for (let i = 0; i < 500 && !metrics.loaded; i++) await wait(10);
  assert.equal(metrics.loaded, true, `${WAITING_LIMIT + 10} records waited and it was not loaded`);
  const { body } = await metrics.scrape();
  assert.equal(metric(body, 'titan_http_requests_total', { route: '/api/ready', status: '200' }), 10);
  assert.equal(metric(body, 'titan_http_requests_total', { route: '/api/threads', status: '200' }), WAITING_LIMIT);
});
