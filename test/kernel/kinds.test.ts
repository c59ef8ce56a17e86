// Every kind of component has its world under wit/: a channel and a reflex build, publish, deploy
// and answer through the kernel like tools, stores and providers do.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { kernelFor } from '../support/fixtures.ts';

test('a channel component decodes an inbound request and encodes a reply through the kernel', async (t: TestContext) => {
  const { kernel } = await kernelFor(t, ['any-channel']);
  const inbound = (await kernel.call('channel', 'loopback', 'decode-inbound', [
    { method: 'POST', path: '/hook', headers: [], body: Buffer.from('hi there') },
    [],
  ])) as { messagesJson: string };
  assert.deepEqual(JSON.parse(inbound.messagesJson), [{ sender: 'tester', text: 'hi there' }]);
  const outbound = (await kernel.call('channel', 'loopback', 'encode-outbound', [JSON.stringify({ text: 'ok' })])) as Array<{ path: string; body: Uint8Array }>;
  assert.equal(outbound[0].path, '/send');
  assert.equal(Buffer.from(outbound[0].body).toString(), 'ok');
  await assert.rejects(kernel.call('channel', 'loopback', 'decode-inbound', [{ method: 'POST', path: '/hook', headers: [], body: new Uint8Array() }, []]), {
    code: 'TITAN_E_COMPONENT_ERROR',
    message: /malformed: empty body/,
  });
});

test('a reflex component matches with a confidence and slots, and executes without a model', async (t: TestContext) => {
  const { kernel } = await kernelFor(t, ['any-reflex']);
  const matched = (await kernel.call('reflex', 'greet', 'match', ['hello Ada'])) as { confidence: number; slotsJson: string };
  assert.ok(matched.confidence > 0.9);
  assert.equal(await kernel.call('reflex', 'greet', 'execute', [matched.slotsJson]), 'Hello, Ada!');
  assert.equal((await kernel.call('reflex', 'greet', 'match', ['goodbye'])) ?? 'no match', 'no match');
});
