import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { Ajv } from 'ajv';
import { isPrivateAddress } from './http/address.ts';
import { http } from './http.ts';
import type { HostServices, HttpRecord, InstanceContext } from './types.ts';
import { serveLocally } from '../test/support/local-server.ts';

type Head = { status: number; headers: Array<[string, string]>; url: string };
type Http = {
  fetch(request: {
    method: string;
    url: string;
    headers: Array<[string, string]>;
    body: Uint8Array;
  }): Promise<{ status: number; headers: Array<[string, string]>; body: Uint8Array }>;
  start(method: string, url: string, headers: Array<[string, string]>): Promise<bigint>;
  write(handle: bigint, chunk: Uint8Array): Promise<void>;
  finish(handle: bigint): Promise<Head>;
  read(handle: bigint, maxBytes: number): Promise<Uint8Array | null>;
  close(handle: bigint): void;
};

/** A server that records every request it sees (a connection counts even when no request follows). */
async function server(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_q, res) => res.end('hello')) {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const srv = await serveLocally(t, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  return {
    port: srv.port,
    seen,
    get connections() {
      return srv.connections;
    },
  };
}

function bound(grant: Record<string, unknown>, secrets: Record<string, string> = {}, records: HttpRecord[] = []): Http {
  const services = {
    secret: async (name: string) => secrets[name],
    recordHttp: (_c: unknown, r: HttpRecord) => records.push(r),
  } as unknown as HostServices;
  const context: InstanceContext = { component: { kind: 'tool', name: 't', version: '1.0.0', digest: 'sha256:0' }, grant, services, callId: undefined };
  return http.bind(context, '0.2.0') as unknown as Http;
}

const get = (url: string, headers: Array<[string, string]> = []) => ({ method: 'GET', url, headers, body: new Uint8Array(0) });
const local = (extra: Record<string, unknown> = {}) => ({ host: '127.0.0.1', schemes: ['http'], private: true, ...extra });

async function refusal(promise: Promise<unknown>): Promise<{ tag: string; val: string }> {
  try {
    await promise;
  } catch (error) {
    return (error as { payload: { tag: string; val: string } }).payload;
  }
  assert.fail('expected the call to be refused');
}

test('the grant schema refuses a private grant through a wildcard and a secret for any host', () => {
  const validate = new Ajv({ allErrors: true }).compile(http.grantSchema);
  assert.ok(validate({ allow: [{ host: '*.example.com', methods: ['GET'], pathPrefixes: ['/v1/'] }], secrets: { KEY: ['api.example.com'] } }));
  assert.ok(validate({ allow: [{ host: 'searx.lan', private: true, schemes: ['http'] }] }));
  assert.equal(validate({ allow: [{ host: '*.lan', private: true }] }), false);
  assert.equal(validate({ allow: [{ host: '*', private: true }] }), false);
  assert.equal(validate({ allow: [{ host: 'a.com' }], secrets: { KEY: ['*'] } }), false);
  assert.equal(validate({ allow: [{ host: 'a.com', methods: ['TRACE'] }] }), false);
});

test('private, loopback and link-local addresses are recognised in every spelling', () => {
  for (const a of [
    '127.0.0.1',
    '127.9.9.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '::1',
    '::',
    'fc00::1',
    'fd12::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
  ]) {
    assert.ok(isPrivateAddress(a), a);
  }
  for (const a of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111', '::ffff:5db8:d822']) assert.equal(isPrivateAddress(a), false, a);
});

test('a granted request goes out and its answer comes back; /metrics gets a record', async (t) => {
  const srv = await server(t, (_q, res) => res.end('hello'));
  const records: HttpRecord[] = [];
  const response = await bound({ allow: [local()] }, {}, records).fetch(get(`http://127.0.0.1:${srv.port}/x`));
  assert.equal(response.status, 200);
  assert.equal(Buffer.from(response.body).toString(), 'hello');
  assert.equal(records.length, 1);
  assert.deepEqual({ ...records[0], ms: 0 }, { host: '127.0.0.1', method: 'GET', status: 200, outcome: 'ok', ms: 0, bytes: 5 });
});

test('requests outside the grant are refused and nothing leaves the machine', async (t) => {
  const srv = await server(t);
  const base = `http://127.0.0.1:${srv.port}`;
  const cases: Array<[Record<string, unknown>, ReturnType<typeof get> & { method: string }, RegExp]> = [
    [{ allow: [{ host: 'api.example.com' }] }, get(`${base}/`), /127\.0\.0\.1 is not a host/],
    // Loopback named, but not as private: refused before any connect.
    [{ allow: [{ host: '127.0.0.1', schemes: ['http'] }] }, get(`${base}/`), /private address/],
    // A name that resolves to loopback: refused after resolution.
    [{ allow: [{ host: 'localhost', schemes: ['http'] }] }, get(`http://localhost:${srv.port}/`), /resolves to a private address/],
    [{ allow: [local({ methods: ['GET'] })] }, { ...get(`${base}/`), method: 'DELETE' }, /DELETE to 127\.0\.0\.1 is not granted/],
    [{ allow: [local({ pathPrefixes: ['/v1/'] })] }, get(`${base}/admin`), /outside the granted paths/],
    [{ allow: [local({ schemes: ['https'] })] }, get(`${base}/`), /http:\/\/ to 127\.0\.0\.1 is not granted/],
    [{ allow: [local()] }, get(`file:///etc/passwd`), /file: URLs are not fetched/],
    // Any public host, but written as a loopback or link-local literal, IPv6 and mapped IPv4 included.
    [{ allow: [{ host: '*', schemes: ['http'] }] }, get(`http://[::1]:${srv.port}/`), /\[::1\] is a private address/],
    [{ allow: [{ host: '*', schemes: ['http'] }] }, get(`http://[::ffff:127.0.0.1]:${srv.port}/`), /private address/],
    [{ allow: [{ host: '*', schemes: ['http'] }] }, get('http://169.254.169.254/latest/meta-data/'), /private address/],
    [{ allow: [{ host: '*', schemes: ['http'] }] }, get(`http://2130706433:${srv.port}/`), /private address/],
    [{ allow: [local()] }, get(`http://user:pw@127.0.0.1:${srv.port}/`), /credentials/],
  ];
  for (const [grant, request, why] of cases) {
    const error = await refusal(bound(grant).fetch(request));
    assert.equal(error.tag, 'denied');
    assert.match(error.val, /^TITAN_E_HTTP_DENIED: /);
    assert.match(error.val, why);
  }
  assert.equal(srv.connections, 0);
});

test('every redirect is checked again: one off the grant is refused before it is followed', async (t) => {
  const target = await server(t);
  const first = await server(t, (_q, res) => res.writeHead(302, { location: `http://localhost:${target.port}/stolen` }).end());
  const error = await refusal(bound({ allow: [local()] }).fetch(get(`http://127.0.0.1:${first.port}/`)));
  assert.equal(error.tag, 'denied');
  assert.match(error.val, /^TITAN_E_HTTP_DENIED: redirected to http:\/\/localhost:\d+\/stolen: localhost is not a host/);
  assert.equal(first.seen.length, 1);
  assert.equal(target.connections, 0);

  // A redirect inside the grant is followed, a 303 turns a POST into a GET.
  const again = await server(t, (req, res) => (req.url === '/done' ? res.end(`${req.method} done`) : res.writeHead(303, { location: '/done' }).end()));
  const response = await bound({ allow: [local({ methods: ['GET', 'POST'] })] }).fetch({
    method: 'POST',
    url: `http://127.0.0.1:${again.port}/`,
    headers: [],
    body: Buffer.from('x'),
  });
  assert.equal(Buffer.from(response.body).toString(), 'GET done');
});

test('an oversized answer is cut at the cap and a slow one at the time limit, with coded errors', async (t) => {
  const big = await server(t, (_q, res) => res.end('x'.repeat(100_000)));
  const error = await refusal(bound({ allow: [local()], maxResponseBytes: 1000 }).fetch(get(`http://127.0.0.1:${big.port}/`)));
  assert.equal(error.tag, 'too-large');
  assert.match(error.val, /^TITAN_E_HTTP_TOO_LARGE: .*1000 bytes/);

  const slow = await server(t, (_q, res) => {
    res.write('first part');
    setTimeout(() => res.end('late'), 5000).unref();
  });
  const started = Date.now();
  const late = await refusal(bound({ allow: [local()], timeoutMs: 300 }).fetch(get(`http://127.0.0.1:${slow.port}/`)));
  assert.equal(late.tag, 'timeout');
  assert.match(late.val, /^TITAN_E_HTTP_TIMEOUT: no complete answer within 300 ms/);
  assert.ok(Date.now() - started < 2000);
});

test('a secret is placed only for the host its grant names, and never comes back to the guest', async (t) => {
  const echo = await server(t, (req, res) => res.setHeader('x-echo', String(req.headers.authorization)).end(`you sent ${req.headers.authorization}`));
  const grant = { allow: [local({ methods: ['GET', 'POST'] })], secrets: { API_KEY: ['127.0.0.1'], OTHER: ['api.example.com'] } };
  const secrets = { API_KEY: 'sk-test-123456', OTHER: 'other-value' };
  const response = await bound(grant, secrets).fetch(get(`http://127.0.0.1:${echo.port}/`, [['authorization', 'Bearer {{secret:API_KEY}}']]));
  assert.equal(echo.seen[0].headers.authorization, 'Bearer sk-test-123456');
  assert.equal(Buffer.from(response.body).toString(), 'you sent Bearer [REDACTED]');
  assert.deepEqual(
    response.headers.find(([k]) => k === 'x-echo'),
    ['x-echo', 'Bearer [REDACTED]'],
  );

  // In the query too (APIs that take ?key=), percent-encoded; the URL the guest reads back keeps the placeholder.
  await bound(grant, { ...secrets, API_KEY: 'k&y=1' }).fetch(get(`http://127.0.0.1:${echo.port}/q?key={{secret:API_KEY}}&x=1`));
  assert.equal(echo.seen[1].url, '/q?key=k%26y%3D1&x=1');
  echo.seen.splice(1, 1);

  // A secret the grant names for another host: refused, and the server sees nothing more.
  const denied = await refusal(bound(grant, secrets).fetch(get(`http://127.0.0.1:${echo.port}/`, [['x-key', '{{secret:OTHER}}']])));
  assert.equal(denied.tag, 'denied');
  assert.match(denied.val, /^TITAN_E_SECRET_DENIED: the secret OTHER is not granted for 127\.0\.0\.1/);
  const unset = await refusal(
    bound({ ...grant, secrets: { NOPE: ['127.0.0.1'] } }, secrets).fetch(get(`http://127.0.0.1:${echo.port}/`, [['x-key', '{{secret:NOPE}}']])),
  );
  assert.match(unset.val, /^TITAN_E_SECRET_MISSING/);
  assert.equal(echo.seen.length, 1);

  // In a body too, also when the body is streamed and the placeholder is split between writes.
  const client = bound(grant, secrets);
  const handle = await client.start('POST', `http://127.0.0.1:${echo.port}/`, []);
  for (const piece of ['{"key":"{{sec', 'ret:API_K', 'EY}}"}']) await client.write(handle, Buffer.from(piece));
  await client.finish(handle);
  while ((await client.read(handle, 4)) !== null);
  assert.equal(echo.seen[1].body, '{"key":"sk-test-123456"}');
});

test('streamed bodies: written in pieces, read in pieces; a closed or ended handle is gone', async (t) => {
  const srv = await server(t, (_q, res, body) => {
    res.write(`got ${body.length} bytes;`);
    res.end(' bye');
  });
  const client = bound({ allow: [local({ methods: ['POST'] })] });
  const handle = await client.start('POST', `http://127.0.0.1:${srv.port}/up`, [['content-type', 'text/plain']]);
  for (let i = 0; i < 10; i++) await client.write(handle, Buffer.alloc(1000, 97));
  const head = await client.finish(handle);
  assert.equal(head.status, 200);
  assert.equal(head.url, `http://127.0.0.1:${srv.port}/up`);
  const pieces: string[] = [];
  for (let piece = await client.read(handle, 5); piece !== null; piece = await client.read(handle, 5)) pieces.push(Buffer.from(piece).toString());
  assert.equal(pieces.join(''), 'got 10000 bytes; bye');
  assert.ok(pieces.every((p) => p.length <= 5));
  assert.equal(srv.seen[0].headers['transfer-encoding'], 'chunked');
  assert.match((await refusal(client.read(handle, 5))).val, /^TITAN_E_HTTP_INVALID: no open request/);

  // start refuses before connecting; a body over the grant's cap is refused mid-way.
  const error = await refusal(client.start('POST', `http://localhost:${srv.port}/`, []));
  assert.equal(error.tag, 'denied');
  const capped = bound({ allow: [local({ methods: ['POST'] })], maxRequestBytes: 10 });
  const h2 = await capped.start('POST', `http://127.0.0.1:${srv.port}/`, []);
  assert.equal((await refusal(capped.write(h2, Buffer.alloc(11)))).tag, 'too-large');
});
