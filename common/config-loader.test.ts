// The section loader on its own, with small sections made up here: what any part's section gets.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isTitanError } from './errors.ts';
import { loadSections } from './config-loader.ts';
import { defineSection } from './config-section.ts';

const lamp = defineSection<'lamp', { on: boolean; colors: string[]; watts: number }>({
  name: 'lamp',
  defaults: { on: false, colors: ['white'], watts: 40 },
  schema: { on: { type: 'boolean' }, colors: { type: 'array', items: { type: 'string' } }, watts: { type: 'integer' } },
  clamps: { watts: [1, 100] },
  env: { LAMP_ON: 'on', LAMP_COLORS: 'colors', LAMP_WATTS: 'watts' },
  // The old file had "lamp": true for the switch, and "lampWatts".
  flat: { lamp: 'on', lampWatts: 'watts' },
});
const fan = defineSection<'fan', { speed: number }>({ name: 'fan', defaults: { speed: 1 }, schema: { speed: { type: 'integer' } } });

async function configFile(t: TestContext, content: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-loader-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

test('a section named like an old key of another type reads both: the old switch and the new object', async (t) => {
  const old = await loadSections(await configFile(t, { lamp: true, lampWatts: 60 }), [lamp], { env: {} });
  assert.deepEqual(old.config.lamp, { on: true, colors: ['white'], watts: 60 });
  assert.deepEqual(old.warnings, [
    'config.json uses top-level keys from before sections; they still work, but move them: lamp -> lamp.on, lampWatts -> lamp.watts',
  ]);
  const nested = await loadSections(await configFile(t, { lamp: { on: true, watts: 60 } }), [lamp], { env: {} });
  assert.deepEqual([nested.config.lamp, nested.warnings], [{ on: true, colors: ['white'], watts: 60 }, []]);
});

test("variables are read as their key's type: lists split at commas, switches as people write them", async (t) => {
  const file = await configFile(t, {});
  const { config } = await loadSections(file, [lamp], { env: { LAMP_ON: 'yes', LAMP_COLORS: 'red, ,green', LAMP_WATTS: '75' } });
  assert.deepEqual(config.lamp, { on: true, colors: ['red', 'green'], watts: 75 });
});

test('a process loading some sections leaves the keys of others alone but still checks its own', async (t) => {
  const file = await configFile(t, { fan: { speed: 3 }, heater: { on: true }, lampWatts: 500 });
  const { config, warnings } = await loadSections(file, [lamp], { env: {}, complete: false });
  assert.equal(config.lamp.watts, 100);
  assert.ok(warnings.includes('config lamp.watts=500 is outside 1..100; using 100'), warnings.join('\n'));
  await assert.rejects(loadSections(file, [lamp, fan], { env: {} }), (error) => {
    assert.ok(isTitanError(error, 'TITAN_E_CONFIG_INVALID'));
    assert.match(error.message, /unknown key "heater" at the top of config\.json \(its sections: lamp, fan\)/);
    return true;
  });
});

test('each load is its own: changing what one returned changes neither the defaults nor the next load', async (t) => {
  const file = await configFile(t, {});
  const first = await loadSections(file, [lamp], { env: {} });
  first.config.lamp.colors.push('blue');
  assert.deepEqual(lamp.defaults.colors, ['white']);
  assert.deepEqual((await loadSections(file, [lamp], { env: {} })).config.lamp.colors, ['white']);
});
