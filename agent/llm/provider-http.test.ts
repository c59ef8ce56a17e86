// The provider's HTTP exchange against a real server: one kept-alive connection across requests,
// redirects followed, a cut body reported, and a 204 read as bodiless the way fetch reads it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { send, type ProviderResponse } from './provider-http.ts';

let server: Server;
let base: string;
const sockets = new Set<unknown>();
let seen: Array<{ url: string; body: string; headers: Record<string, unknown> }> = [];

before(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body, headers: req.headers });
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/v1/chat' }).end();
      } else if (req.url === '/see-other') {
        res.writeHead(303, { location: '/v1/chat' }).end();
      } else if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n', () => setTimeout(() => req.socket.destroy(), 20));
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-echo': 'yes' }).end(`data: ${body}\n\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

async function text(response: ProviderResponse): Promise<string> {
  const decoder = new TextDecoder();
  let out = '';
  for (let chunk = await response.read(); chunk; chunk = await response.read()) out += decoder.decode(chunk, { stream: true });
  return out;
}

const post = (path: string, body = '{"hi":1}') =>
  send(new URL(base + path), { method: 'POST', headers: new Headers({ 'content-type': 'application/json' }), body, signal: new AbortController().signal });

test('requests in a row share one kept-alive connection, and the body and headers arrive whole', async () => {
  seen = [];
  sockets.clear();
  for (let i = 0; i < 3; i++) {
    const response = await post('/v1/chat', `{"n":${i}}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-echo'), 'yes');
    assert.equal(await text(response), `data: {"n":${i}}\n\n`);
  }
  assert.equal(sockets.size, 1);
  assert.equal(seen[0].headers['content-length'], '7');
  assert.equal(seen[0].headers['content-type'], 'application/json');
});

test('a redirect is followed to where it points', async () => {
  seen = [];
  const response = await post('/moved');
  assert.equal(response.status, 200);
  assert.equal(await text(response), 'data: {"hi":1}\n\n');
  assert.deepEqual(
    seen.map((s) => s.url),
    ['/moved', '/v1/chat'],
  );
});

test('a 303 is followed with a GET and no body, as fetch does', async () => {
  seen = [];
  const response = await post('/see-other');
  assert.equal(await text(response), 'data: \n\n');
  assert.deepEqual(
    seen.map((s) => [s.url, s.headers['content-type']]),
    [
      ['/see-other', 'application/json'],
      ['/v1/chat', undefined],
    ],
  );
});

test('a 204 has no body, as fetch says', async () => {
  const response = await post('/empty');
  assert.equal(response.status, 204);
  assert.equal(response.hasBody, false);
});

test('a connection cut in the middle of the body rejects the read, with the cause', async () => {
  const response = await post('/cut');
  assert.equal(new TextDecoder().decode(await response.read()), 'data: one\n\n');
  await assert.rejects(response.read(), (error: TypeError) => error instanceof TypeError && error.cause !== undefined);
});

test('an unreachable server rejects as fetch does: a TypeError whose cause has the code', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(
    send(new URL(`http://127.0.0.1:${port}/x`), { method: 'POST', headers: new Headers(), body: '{}', signal: new AbortController().signal }),
    (error: TypeError) => error instanceof TypeError && (error.cause as { code?: string }).code === 'ECONNREFUSED',
  );
});

test('an abort stops a request that waits for its answer', async () => {
  const controller = new AbortController();
  const waiting = send(new URL(`${base}/cut`), { method: 'POST', headers: new Headers(), body: '{}', signal: controller.signal });
  const response = await waiting;
  controller.abort();
  await assert.rejects(async () => {
    while (await response.read());
  });
});
