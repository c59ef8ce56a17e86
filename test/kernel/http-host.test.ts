// titan:host/http end to end: a component built by the real toolchain calls a local server through
// the kernel, inline and in a worker thread; its refusals arrive as the WIT http-error cases, and
// each exchange is announced on the bus (what /metrics counts).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildFixture } from '../support/fixtures.ts';
import { openTestKernel } from '../support/kernel.ts';
import { serveLocally } from '../support/local-server.ts';

function echoServer(t: TestContext) {
  return serveLocally(t, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(parts).toString()} key=${req.headers['x-key'] ?? ''}`));
  });
}

async function deployClient(kernel: Kernel, isolation: 'inline' | 'worker') {
  const built = await buildFixture('http-client');
  const manifest = {
    ...built.manifest,
    capabilities: {
      log: {},
      http: { allow: [{ host: '127.0.0.1', schemes: ['http'], methods: ['GET', 'POST'], private: true }], secrets: { KEY: ['127.0.0.1'] } },
    },
    ...(isolation === 'worker' ? { limits: { isolation: 'worker' as const, timeoutMs: 10000 } } : {}),
  };
  await kernel.deployManifest(await publishComponent(kernel, { ...built, manifest }));
}

const invoke = async (kernel: Kernel, args: unknown) => JSON.parse((await kernel.call('tool', 'http-client', 'invoke', [JSON.stringify(args)])) as string);

for (const isolation of ['inline', 'worker'] as const) {
  test(`a component fetches, streams and is refused through titan:host/http (${isolation})`, async (t) => {
    const { kernel, cleanup } = await openTestKernel();
    t.after(cleanup);
    await kernel.secrets.set('KEY', 'the-value');
    await kernel.secrets.set('NOT_YOURS', 'other-value');
    const records: Array<KernelEvents['http.request']> = [];
    kernel.bus.on('http.request', (r) => records.push(r));
    await deployClient(kernel, isolation);
    const srv = await echoServer(t);
    const base = `http://127.0.0.1:${srv.port}`;

    const whole = await invoke(kernel, { url: `${base}/a`, method: 'POST', body: 'hi', headers: [['x-key', '{{secret:KEY}}']] });
    assert.equal(whole.status, 200);
    // The server got the value; the guest got it back redacted.
    assert.equal(whole.body, 'POST /a hi key=[REDACTED]');

    const streamed = await invoke(kernel, { mode: 'stream', url: `${base}/b`, chunks: ['one,', 'two'], readBytes: 4 });
    assert.equal(streamed.body, 'POST /b one,two key=');
    assert.ok(streamed.pieces.length > 3 && streamed.pieces.every((n: number) => n <= 4));

    const before = srv.connections;
    // A stored secret the grant does not name for this host: refused before anything is sent.
    const notGranted = await invoke(kernel, { url: `${base}/c`, headers: [['x-key', '{{secret:NOT_YOURS}}']] });
    assert.equal(notGranted.error, 'denied');
    assert.match(notGranted.text, /^TITAN_E_SECRET_DENIED/);
    assert.ok(!JSON.stringify(notGranted).includes('other-value'));
    const refused = await invoke(kernel, { url: `http://localhost:${srv.port}/` });
    assert.equal(refused.error, 'denied');
    assert.match(refused.text, /^TITAN_E_HTTP_DENIED: localhost is not a host/);
    const streamRefused = await invoke(kernel, { mode: 'stream', url: `http://localhost:${srv.port}/` });
    assert.equal(streamRefused.error, 'denied');
    assert.equal(srv.connections, before);

    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      records.map((r) => [r.slot, r.method, r.status, r.outcome]),
      [
        ['tool/http-client', 'POST', 200, 'ok'],
        ['tool/http-client', 'POST', 200, 'ok'],
        ['tool/http-client', 'GET', 0, 'TITAN_E_SECRET_DENIED'],
        ['tool/http-client', 'GET', 0, 'TITAN_E_HTTP_DENIED'],
        ['tool/http-client', 'POST', 0, 'TITAN_E_HTTP_DENIED'],
      ],
    );
  });
}
