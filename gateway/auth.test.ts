// Who may use the gateway: every route needs the token except health and ready; the token is made
// on the first start (0600, shown once); streams accept it as ?token=; a second user's token sees
// none of the first user's threads (404, as if they did not exist) and cannot move patches.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { apiRouter } from './app.ts';
import { webhookRoutes } from './channels/runtime.ts';
import { openGateway, openHarness, openSse, openWs, type Harness, type TestGateway } from '../test/gateway/support.ts';

// Methods fetch can send (a catch-all route also lists CONNECT and TRACE); HEAD follows GET.
const FETCHABLE = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

let harness: Harness;
let gw: TestGateway;
const said: string[] = [];

before(async () => {
  harness = await openHarness();
  gw = await openGateway(harness, { say: (line) => said.push(line) });
});
after(async () => {
  await gw.close();
  await harness.close();
});

test('the owner token is created on the first start with mode 0600, printed that once, and kept across restarts', async () => {
  const file = path.join(harness.home, 'gateway-token');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.ok(
    said.some((line) => line.startsWith('gateway on http://127.0.0.1:') && line.includes(`(token in ${file})`)),
    said.join('\n'),
  );
  assert.ok(
    said.some((line) => line.includes(gw.token)),
    'the new token is shown once',
  );

  const again: string[] = [];
  const second = await openGateway(harness, { say: (line) => again.push(line) });
  try {
    assert.equal(second.token, gw.token, 'the same token after a restart');
    assert.ok(!again.some((line) => line.includes(gw.token)), 'not printed again');
    assert.equal((await second.call('GET', '/api/threads')).status, 200);
  } finally {
    await second.close();
  }
});

test('every route needs a token, except /api/health and /api/ready; a refusal is 401, coded, and reveals nothing', async () => {
  const routes = apiRouter(gw.gateway.deps).stack.flatMap((layer) =>
    layer.methods.filter((m) => FETCHABLE.has(m)).map((method) => [method, String(layer.path)] as const),
  );
  assert.ok(routes.length >= 25, `the routes are enumerated (${routes.length})`);
  for (const expected of ['POST /api/threads/:id/messages', 'GET /api/threads/:id/events', 'GET /metrics', 'POST /v1/chat/completions', 'GET /v1/models']) {
    assert.ok(
      routes.some(([m, r]) => `${m} ${r}` === expected),
      `${expected} is among them`,
    );
  }
  for (const [method, route] of routes) {
    const concrete = route.replace(/:\w+/g, 'x').replace(/\{[^}]*\}/g, 'x');
    for (const token of [null, 'wrong-token', `${gw.token}x`]) {
      const answer = await gw.call(method, concrete, method === 'GET' ? undefined : {}, token);
      assert.equal(answer.status, 401, `${method} ${route} with ${token === null ? 'no' : 'a wrong'} token`);
      assert.equal(answer.body.error.code, 'TITAN_E_AUTH');
      assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.deepEqual(Object.keys(answer.body), ['error']);
    }
  }
  // A route that does not exist answers the same without a token: existence is not revealed.
  assert.equal((await gw.call('GET', '/api/secret-admin', undefined, null)).status, 401);
  assert.equal((await gw.call('GET', '/api/secret-admin')).status, 404);

  // The OpenAI-compatible API is mounted behind the same token.
  const models = await gw.call('GET', '/v1/models');
  assert.equal(models.status, 200);
  assert.ok(models.body.data.some((m: { id: string }) => m.id === 'titan'));

  assert.deepEqual((await gw.call('GET', '/api/health', undefined, null)).body, { ok: true });
  assert.equal((await gw.call('GET', '/api/ready', undefined, null)).status, 200);
  // The channel webhooks are public too, authenticated by each platform's signature instead
  // (test/channels/webhook-auth.test.ts); none is an API route, and a gateway running no channels keeps them behind the token.
  for (const [method, route] of webhookRoutes(['telegram', 'slack', 'discord', 'whatsapp'])) {
    assert.ok(!routes.some(([, r]) => r === route), `${route} is not behind the token`);
    assert.equal((await gw.call(method, route, method === 'GET' ? undefined : {}, null)).status, 401);
  }
});

test('the token may come as ?token= (URL-encoded) for SSE and WebSocket, never for other routes', async () => {
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sse = await openSse(`${gw.url}/api/threads/${thread.id}/events?token=${encodeURIComponent(gw.token)}`);
  assert.equal(sse.response.status, 200);
  assert.match(sse.response.headers.get('content-type') ?? '', /^text\/event-stream/);
  await sse.close();

  const refused = await fetch(`${gw.url}/api/threads/${thread.id}/events?token=nope`);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, 'TITAN_E_AUTH');

  const ws = await openWs(gw.url, { token: gw.token, query: true });
  ws.send({ subscribe: thread.id });
  await ws.until((m) => m.type === 'ws.subscribed' && m.threadId === thread.id);
  await ws.close();
  await assert.rejects(openWs(gw.url, { token: 'nope', query: true }), (error: { status: number; body: { error: { code: string } } }) => {
    assert.equal(error.status, 401);
    assert.equal(error.body.error.code, 'TITAN_E_AUTH');
    return true;
  });
  await assert.rejects(openWs(gw.url), (error: { status: number }) => error.status === 401);

  const rest = await fetch(`${gw.url}/api/threads?token=${encodeURIComponent(gw.token)}`);
  assert.equal(rest.status, 401, 'REST routes take the token from the header only');
});

test("a second user's token never reaches the first user's threads: 404 everywhere, as for a missing thread", async () => {
  const bob = await gw.gateway.deps.tokens.create('bob');
  const thread = (await gw.call('POST', '/api/threads', { title: 'ada only' })).body;
  await gw.call('PUT', '/api/settings/theme', { value: 'dark' });

  const missing = await gw.call('GET', '/api/threads/00000000-0000-0000-0000-000000000000', undefined, bob);
  for (const [method, route, body] of [
    ['GET', `/api/threads/${thread.id}`],
    ['GET', `/api/threads/${thread.id}/messages`],
    ['GET', `/api/threads/${thread.id}/events`],
    ['POST', `/api/threads/${thread.id}/messages`, { text: 'hi' }],
    ['DELETE', `/api/threads/${thread.id}`],
  ] as Array<[string, string, unknown?]>) {
    const answer = await gw.call(method, route, body, bob);
    assert.equal(answer.status, 404, `${method} ${route}`);
    assert.equal(answer.body.error.code, 'TITAN_E_NOT_FOUND');
    assert.equal(
      answer.body.error.message.replace(thread.id, 'ID'),
      missing.body.error.message.replace('00000000-0000-0000-0000-000000000000', 'ID'),
      'the same answer as for a thread that does not exist',
    );
  }
  assert.deepEqual((await gw.call('GET', '/api/threads', undefined, bob)).body.threads, []);
  assert.equal((await gw.call('GET', '/api/settings/theme', undefined, bob)).status, 404, 'settings are per user');

  const ws = await openWs(gw.url, { token: bob });
  ws.send({ subscribe: thread.id });
  const refusal = await ws.until((m) => m.type === 'ws.error');
  assert.equal(refusal.error.code, 'TITAN_E_NOT_FOUND');
  await ws.close();

  // bob's own thread works, and clearing his chats leaves ada's alone.
  const own = (await gw.call('POST', '/api/threads', {}, bob)).body;
  assert.equal(own.user_id, 'bob');
  assert.equal((await gw.call('DELETE', '/api/threads', undefined, bob)).status, 200);
  assert.equal((await gw.call('GET', `/api/threads/${thread.id}`)).status, 200, "ada's thread survives bob's clear-all");

  // Reading the kernel's state is allowed; changing it is the owner's.
  assert.equal((await gw.call('GET', '/api/patches', undefined, bob)).status, 200);
  const propose = await gw.call('POST', '/api/patches', { ref: 'tool/echo@1.0.0' }, bob);
  assert.equal(propose.status, 403);
  assert.equal(propose.body.error.code, 'TITAN_E_FORBIDDEN');
});

test("secrets are the owner's: another user cannot list, set or remove them, and no route answers a value", async () => {
  const bob = await gw.gateway.deps.tokens.create('bob-secrets');
  assert.equal((await gw.call('PUT', '/api/secrets/OWNER_KEY', { value: 'owner-value-123' })).status, 200);
  for (const [method, route, body] of [
    ['GET', '/api/secrets'],
    ['PUT', '/api/secrets/OWNER_KEY', { value: 'bob-value' }],
    ['DELETE', '/api/secrets/OWNER_KEY'],
  ] as Array<[string, string, unknown?]>) {
    const answer = await gw.call(method, route, body, bob);
    assert.equal(answer.status, 403, `${method} ${route}`);
    assert.equal(answer.body.error.code, 'TITAN_E_FORBIDDEN');
  }
  const listed = await gw.call('GET', '/api/secrets');
  assert.deepEqual(
    listed.body.secrets.map((s: { name: string }) => s.name),
    ['OWNER_KEY'],
  );
  assert.ok(!JSON.stringify(listed.body).includes('owner-value-123'));
  assert.equal((await gw.call('PUT', '/api/secrets/1bad', { value: 'x' })).body.error.code, 'TITAN_E_INVALID_REQUEST');
  assert.equal((await gw.call('PUT', '/api/secrets/OK', { value: '' })).status, 400);
  assert.equal((await gw.call('DELETE', '/api/secrets/OWNER_KEY')).status, 204);
  assert.equal((await gw.call('DELETE', '/api/secrets/OWNER_KEY')).body.error.code, 'TITAN_E_SECRET_MISSING');
});
