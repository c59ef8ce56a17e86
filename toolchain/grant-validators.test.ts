// The grant validators compiled ahead of time: the committed file matches the host interfaces, and
// each one accepts and refuses, with the same reasons, what the schema compiled at link time would.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { GRANT_AJV_OPTIONS } from '../common/own-schemas.ts';
import { GRANT_VALIDATORS } from '../host-api/grant-validators.js';
import { HOST_INTERFACES } from '../host-api/index.ts';
import { GRANT_VALIDATORS_FILE, grantValidatorsSource } from './grant-validators.ts';

test('the committed grant validators match the host interfaces (npm run grant-validators)', async () => {
  assert.equal(await readFile(GRANT_VALIDATORS_FILE, 'utf8'), grantValidatorsSource());
});

test("each interface's validator decides and explains as its schema compiled at link time does", () => {
  const ajv = new Ajv(GRANT_AJV_OPTIONS);
  const probes: unknown[] = [
    {},
    null,
    [],
    'all',
    { unknown: true },
    { allow: [] },
    { allow: ['*'] },
    { allow: ['https://example.com'] },
    { allow: [1] },
    { names: ['TOKEN'] },
    { names: 'TOKEN' },
    { workspace: '/tmp/w' },
    { workspace: 'relative' },
    { maxKeys: 0 },
    { maxKeys: 10 },
    { maxInputBytes: 1024 },
    { components: ['tool/echo'] },
  ];
  for (const host of HOST_INTERFACES.values()) {
    const ahead = GRANT_VALIDATORS[host.name];
    assert.ok(ahead, `${host.name} is compiled ahead of time`);
    assert.equal(ahead[1], JSON.stringify(host.grantSchema));
    const atLink = ajv.compile(host.grantSchema);
    for (const probe of probes) {
      assert.equal(ahead[0](probe), atLink(probe), `${host.name}: ${JSON.stringify(probe)}`);
      assert.deepEqual(ahead[0].errors ?? null, atLink.errors ?? null, `${host.name}: ${JSON.stringify(probe)}`);
    }
  }
});
