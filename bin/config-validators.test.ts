// The configuration validators compiled ahead of time: the committed files match the sections,
// each one decides, coerces and explains exactly as the same schema compiled at start would, and a
// start's configuration set by TITAN_* variables is checked through them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { SECTION_VALIDATORS } from '../common/config-validators.js';
import { isTitanError } from '../common/errors.ts';
import { CONFIG_AJV_OPTIONS, configKeySchema } from '../common/own-schemas.ts';
import { loadTitanConfig, SECTIONS } from './config.ts';
import { configValidatorsSources } from './config-validators.ts';

test('the committed validators match the configuration sections (npm run config-validators)', async () => {
  for (const [file, text] of configValidatorsSources()) assert.equal(await readFile(file, 'utf8'), text, file);
});

test("each key's validator accepts, coerces and refuses what the schema compiled at start does", async () => {
  const ajv = new Ajv(CONFIG_AJV_OPTIONS);
  const probes = (fallback: unknown): unknown[] => [
    fallback,
    String(fallback),
    JSON.stringify(fallback),
    null,
    -1,
    1.5,
    '12',
    'yes',
    [],
    ['a'],
    [1],
    {},
    { unknown: 1 },
    true,
  ];
  assert.deepEqual(
    Object.keys(SECTION_VALIDATORS),
    SECTIONS.map((section) => section.name),
    'every section has its module',
  );
  for (const section of SECTIONS) {
    const { VALIDATORS } = await SECTION_VALIDATORS[section.name]();
    let keys = 0;
    for (const [key, schema] of Object.entries(section.schema)) {
      const ahead = VALIDATORS[key];
      assert.ok(ahead, `${section.name}.${key} is compiled ahead of time`);
      assert.equal(ahead[1], JSON.stringify(schema));
      const atStart = ajv.compile(configKeySchema(key, schema));
      for (const probe of probes((section.defaults as Record<string, unknown>)[key])) {
        const [a, b] = [{ [key]: structuredClone(probe) }, { [key]: structuredClone(probe) }];
        const verdict = ahead[0](a);
        assert.equal(verdict, atStart(b), `${section.name}.${key} = ${JSON.stringify(probe)}`);
        assert.deepEqual(a, b, `${section.name}.${key} = ${JSON.stringify(probe)} is coerced the same`);
        assert.deepEqual(ahead[0].errors ?? null, atStart.errors ?? null);
      }
      keys++;
    }
    assert.equal(keys, Object.keys(VALIDATORS).length, `${section.name} has a validator for each of its keys and no other`);
  }
});

test('a start configured by TITAN_* variables is checked and coerced by them', async () => {
  const { config } = await loadTitanConfig({ TITAN_HOME: '/nonexistent-titan-home', TITAN_PORT: '8123' });
  assert.equal(config.gateway.port, 8123);
  await assert.rejects(loadTitanConfig({ TITAN_HOME: '/nonexistent-titan-home', TITAN_PORT: 'eighty' }), (error) => {
    assert.ok(isTitanError(error, 'TITAN_E_CONFIG_INVALID'));
    assert.match(error.message, /gateway\.port must be integer \(from TITAN_PORT\)/);
    return true;
  });
});
