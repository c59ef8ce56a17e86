// The Settings page's configuration API: config.json as written and in effect (a TITAN_* variable
// over the file shows in effect, not in the file); an edit that would not load is refused with
// every problem named and the file left byte for byte; one that loads is written whole; the owner's.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { titanConfigFile } from '../../bin/config-file.ts';
import { openGateway, openHarness, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

test('read as written and in effect; a bad edit changes nothing; a good one is saved whole', async (t) => {
  const file = path.join(harness.home, 'config.json');
  const written = `${JSON.stringify({ gateway: { rateLimitPerMinute: 300 }, agent: { guardedTools: ['clock'] } }, null, 2)}\n`;
  await writeFile(file, written);
  const configFile = titanConfigFile({ TITAN_HOME: harness.home, TITAN_PORT: '7999' });
  const gw = await openGateway(harness, { configFile });
  t.after(() => gw.close());

  const read = await gw.call('GET', '/api/config');
  assert.equal(read.status, 200);
  assert.equal(read.body.editable, true);
  assert.equal(read.body.path, file);
  assert.deepEqual(read.body.file, JSON.parse(written));
  assert.equal(read.body.effective.gateway.rateLimitPerMinute, 300);
  assert.equal(read.body.effective.gateway.port, 7999, 'the variable is in effect');
  assert.equal(read.body.file.gateway.port, undefined, 'and not in the file');

  const typo = await gw.call('PUT', '/api/config', { file: { gateway: { rateLimitPerMinut: 10 }, agnet: {}, mesh: { enabled: 'sometimes' } } });
  assert.equal(typo.status, 400);
  assert.equal(typo.body.error.code, 'TITAN_E_CONFIG_INVALID');
  const problems: string[] = typo.body.error.problems;
  assert.ok(problems.some((p) => p.includes('rateLimitPerMinut')));
  assert.ok(problems.some((p) => p.includes('"agnet"')));
  assert.ok(problems.some((p) => p.startsWith('mesh.enabled')));
  assert.equal(await readFile(file, 'utf8'), written, 'the file is untouched');
  assert.equal((await gw.call('PUT', '/api/config', { file: ['not', 'an', 'object'] })).status, 400);
  assert.equal(await readFile(file, 'utf8'), written);

  const edit = { gateway: { rateLimitPerMinute: 120 }, mesh: { enabled: false } };
  const saved = await gw.call('PUT', '/api/config', { file: edit });
  assert.equal(saved.status, 200);
  assert.equal(saved.body.restartNeeded, true);
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), edit);

  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.equal((await gw.call('GET', '/api/config', undefined, bob)).status, 403);
  assert.equal((await gw.call('PUT', '/api/config', { file: {} }, bob)).status, 403);
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), edit);
});

test('a gateway without a configuration file says it edits none, and refuses a save', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  assert.deepEqual((await gw.call('GET', '/api/config')).body, { editable: false });
  const answer = await gw.call('PUT', '/api/config', { file: {} });
  assert.equal(answer.status, 404);
  assert.equal(answer.body.error.code, 'TITAN_E_NOT_FOUND');
});
