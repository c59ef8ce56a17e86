// Bad input and limits: malformed or wrong bodies are refused with a code and change nothing,
// oversized bodies get 413, a token past its rate gets 429 with Retry-After, a WebSocket from a
// foreign Origin is refused, and CORS stays off unless origins are configured.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, openWs, type Harness } from '../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

test('bad bodies are refused with 400 and a code, and change nothing', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const threadsBefore = (await gw.call('GET', '/api/threads')).body.threads.length;
  const post = (route: string, body: string, type = 'application/json') =>
    fetch(gw.url + route, { method: 'POST', headers: { authorization: `Bearer ${gw.token}`, 'content-type': type }, body });

  const cases: Array<[string, Response, RegExp]> = [
    ['malformed JSON', await post(`/api/threads/${thread.id}/messages`, '{"text": "hi"'), /not valid JSON/],
    ['not JSON at all', await post(`/api/threads/${thread.id}/messages`, 'text=hi', 'application/x-www-form-urlencoded'), /must be JSON/],
    ['missing field', await post(`/api/threads/${thread.id}/messages`, '{}'), /needs "text"/],
    ['wrong type', await post(`/api/threads/${thread.id}/messages`, '{"text": 42}'), /text/],
    ['blank text', await post(`/api/threads/${thread.id}/messages`, '{"text": "   "}'), /text/],
    ['unknown field', await post(`/api/threads/${thread.id}/messages`, '{"text": "hi", "admin": true}'), /unknown field "admin"/],
    ['array body', await post('/api/threads', '[]'), /body/],
    ['title too long', await post('/api/threads', JSON.stringify({ title: 'x'.repeat(201) })), /title/],
  ];
  for (const [name, response, message] of cases) {
    assert.equal(response.status, 400, name);
    const body = await response.json();
    assert.equal(body.error.code, 'TITAN_E_INVALID_REQUEST', name);
    assert.match(body.error.message, message, name);
    assert.ok(body.error.fix, `${name}: says how to fix it`);
  }
  assert.deepEqual((await gw.call('GET', `/api/threads/${thread.id}/messages`)).body.messages, [], 'no message was stored');
  assert.equal((await gw.call('GET', '/api/threads')).body.threads.length, threadsBefore, 'no thread was created');
  assert.deepEqual(gw.agent.running(), []);
});

test('a body over maxBodyBytes is refused with 413, whether announced by Content-Length or streamed', async (t) => {
  const gw = await openGateway(harness, { settings: { maxBodyBytes: 2048 } });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const big = JSON.stringify({ text: 'x'.repeat(4096) });
  const announced = await gw.call('POST', `/api/threads/${thread.id}/messages`, big);
  assert.equal(announced.status, 413);
  assert.equal(announced.body.error.code, 'TITAN_E_BODY_TOO_LARGE');

  const streamed = await fetch(`${gw.url}/api/threads/${thread.id}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'application/json' },
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"text":"' : 'y'.repeat(1024)));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  assert.equal(streamed.status, 413);
  assert.equal((await streamed.json()).error.code, 'TITAN_E_BODY_TOO_LARGE');
  assert.deepEqual((await gw.call('GET', `/api/threads/${thread.id}/messages`)).body.messages, []);
  assert.equal((await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'small' })).status, 202, 'a small body still works');
});

test('past its rate a token gets 429 with Retry-After; other tokens are not affected', async (t) => {
  const gw = await openGateway(harness, { settings: { rateLimitPerMinute: 5 } });
  t.after(() => gw.close());
  const bob = await gw.gateway.deps.tokens.create('bob');
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await gw.call('GET', '/api/threads')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  const limited = await gw.call('GET', '/api/threads');
  assert.equal(limited.body.error.code, 'TITAN_E_RATE_LIMITED');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 12, `Retry-After ${retryAfter}`);
  assert.equal((await gw.call('GET', '/api/threads', undefined, bob)).status, 200, "bob's token has its own bucket");
  assert.equal((await gw.call('GET', '/api/health', undefined, null)).status, 200, 'health is not limited');
  await assert.rejects(
    openWs(gw.url, { token: gw.token }),
    (error: { status: number; body: { error: { code: string } } }) => error.status === 429 && error.body.error.code === 'TITAN_E_RATE_LIMITED',
  );
});

test('a WebSocket from a foreign Origin is refused; loopback, configured and absent Origins are let in', async (t) => {
  const gw = await openGateway(harness, { settings: { allowedOrigins: ['https://titan.example.com'] } });
  t.after(() => gw.close());
  for (const origin of [
    'https://evil.example',
    'null',
    'http://127.0.0.1.evil.example',
    'https://titan.example.com.evil.example',
    'file://',
    'chrome-extension://abc',
  ]) {
    await assert.rejects(openWs(gw.url, { token: gw.token, origin }), (error: { status: number; body: { error: { code: string } } }) => {
      assert.equal(error.status, 403, origin);
      assert.equal(error.body.error.code, 'TITAN_E_FORBIDDEN_ORIGIN');
      return true;
    });
  }
  for (const origin of [
    undefined,
    'http://127.0.0.1:5173',
    'http://localhost:7400',
    'http://[::1]:8080',
    'https://titan.example.com',
    'https://TITAN.example.com:443',
  ]) {
    const ws = await openWs(gw.url, { token: gw.token, origin });
    await ws.close();
  }
  await assert.rejects(openWs(gw.url, { token: gw.token, path: '/api/nope' }), (error: { status: number }) => error.status === 404);
});

test('CORS is off unless corsOrigins is configured; then only those origins get CORS headers', async (t) => {
  const off = await openGateway(harness);
  t.after(() => off.close());
  const plain = await fetch(`${off.url}/api/threads`, { headers: { authorization: `Bearer ${off.token}`, origin: 'http://localhost:3000' } });
  assert.equal(plain.headers.get('access-control-allow-origin'), null);
  const preflightOff = await fetch(`${off.url}/api/threads`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
  });
  assert.equal(preflightOff.headers.get('access-control-allow-origin'), null);

  const on = await openGateway(harness, { settings: { corsOrigins: ['http://localhost:3000'] } });
  t.after(() => on.close());
  const preflight = await fetch(`${on.url}/api/threads`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  const allowed = await fetch(`${on.url}/api/threads`, { headers: { authorization: `Bearer ${on.token}`, origin: 'http://localhost:3000' } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  const other = await fetch(`${on.url}/api/threads`, { headers: { authorization: `Bearer ${on.token}`, origin: 'http://localhost:4000' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});
