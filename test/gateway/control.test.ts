// One route table, two listeners: the control socket answers with the gateway's own handlers,
// validation and errors, as the owner without a token; what names files on the kernel's machine
// (export, publish a folder) answers there only, and `by` may be named there only.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Patch } from '../../kernel/api.ts';
import { createControlApp } from '../../gateway/app.ts';
import { claimControlSocket } from '../../gateway/control-socket.ts';
import { send } from '../../bin/route-request.ts';
import { FIXTURES, publishFixture } from '../support/fixtures.ts';
import { openGateway, openHarness } from './support.ts';

test("the control socket serves the gateway's routes as the owner; file routes and `by` are the socket's alone", async (t) => {
  const harness = await openHarness();
  t.after(() => harness.close());
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const control = await claimControlSocket(harness.kernel.paths.controlSocket);
  t.after(() => control.close());
  control.serve(createControlApp(gw.gateway.deps).callback());
  const onSocket = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => send<T>(control.path, method, route, body);

  // The same handler answers both: no token on the socket, the owner's on TCP.
  assert.deepEqual(await onSocket('GET', '/api/components'), (await gw.call('GET', '/api/components')).body);
  assert.deepEqual(
    await onSocket('POST', '/api/call', { kind: 'tool', name: 'echo', args: ['{"text":"hi"}'] }),
    (await gw.call('POST', '/api/call', { kind: 'tool', name: 'echo', args: ['{"text":"hi"}'] })).body,
  );

  // The same validation and the same coded errors.
  const overTcp = await gw.call('POST', '/api/patches', { why: 'no ref' });
  assert.equal(overTcp.status, 400);
  await assert.rejects(
    onSocket('POST', '/api/patches', { why: 'no ref' }),
    (error: Error & { code?: string }) => error.code === overTcp.body.error.code && error.message === overTcp.body.error.message,
  );
  await assert.rejects(onSocket('GET', '/api/no-such-route'), { code: 'TITAN_E_NOT_FOUND' });

  // Naming who acted: on the socket (the CLI's --by), never over TCP.
  await publishFixture(harness.kernel, path.join(FIXTURES, 'echo-v2'));
  const named = await onSocket<Patch>('POST', '/api/patches', { ref: 'echo@1.1.0', by: 'grace', why: 'check' });
  assert.deepEqual(
    named.history.map((step) => [step.by, step.why]),
    [['grace', 'check']],
  );
  const unnamed = await onSocket<Patch>('POST', `/api/patches/${named.id}/reject`);
  assert.equal(unnamed.history.at(-1)?.by, 'ada', 'without a name, the owner');
  const spoofed = await gw.call('POST', '/api/patches', { ref: 'echo@1.1.0', by: 'grace' });
  assert.equal(spoofed.status, 400);
  assert.match(spoofed.body.error.message, /unknown field "by"/);

  // A file on the kernel's machine: written through the socket, refused over TCP.
  const file = path.join(harness.home, 'export.jsonl');
  const refused = await gw.call('POST', '/api/db/export', { file });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'TITAN_E_FORBIDDEN');
  assert.equal((await gw.call('POST', '/api/registry/publish', { dir: harness.home })).status, 403);
  const header = await onSocket<{ format: string; schemaVersion: number }>('POST', '/api/db/export', { file });
  assert.equal(header.format, 'titan-db-export');
  assert.match(await readFile(file, 'utf8'), /"end":"titan-db-export"/);
});
