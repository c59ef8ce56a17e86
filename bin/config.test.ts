// The whole configuration as `titan start` loads it: every part's section from config.json
// (nested or the old top-level keys) and TITAN_* variables, each problem named with its section.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import { loadTitanConfig, SECTIONS } from './config.ts';

/** A TITAN_HOME holding `content` as config.json (none when undefined); the environment naming it. */
async function home(t: TestContext, content?: unknown, vars: Record<string, string> = {}): Promise<{ env: NodeJS.ProcessEnv; file: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-sections-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  if (content !== undefined) await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { env: { TITAN_HOME: dir, ...vars }, file };
}

async function refused(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isTitanError(error, 'TITAN_E_CONFIG_INVALID'), `expected TITAN_E_CONFIG_INVALID, got ${String(error)}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    assert.ok(error.fix, 'the error says how to fix it');
    return true;
  });
}

const defaults = Object.fromEntries(SECTIONS.map((s) => [s.name, s.defaults]));

test('no file and no environment: every section at its defaults, without warnings', async (t) => {
  const { config, warnings } = await loadTitanConfig((await home(t)).env);
  assert.deepEqual(config, defaults);
  assert.deepEqual(
    Object.keys(config),
    SECTIONS.map((section) => section.name),
  );
  assert.deepEqual(warnings, []);
});

test('each section is read from its own object in config.json', async (t) => {
  const { env } = await home(t, {
    kernel: { maxInstances: 4 },
    agent: { trustedTools: ['clock'] },
    gateway: { port: 8123 },
    channels: { enabled: ['slack'], telegramMode: 'polling' },
    mesh: { enabled: true, slots: 3 },
    reflexes: { enabled: false, threshold: 0.9 },
    shadow: { budgetPerHour: 5 },
  });
  const { config, warnings } = await loadTitanConfig(env);
  assert.equal(config.kernel.maxInstances, 4);
  assert.deepEqual(config.agent.trustedTools, ['clock']);
  assert.equal(config.gateway.port, 8123);
  assert.deepEqual([config.channels.enabled, config.channels.telegramMode], [['slack'], 'polling']);
  assert.deepEqual([config.mesh.enabled, config.mesh.slots, config.mesh.heartbeatMs], [true, 3, 1000]);
  assert.deepEqual([config.reflexes.enabled, config.reflexes.threshold], [false, 0.9]);
  assert.equal(config.shadow.budgetPerHour, 5);
  assert.deepEqual(warnings, []);
});

test('the old top-level keys still work, with one warning saying where each now goes; the file is not rewritten', async (t) => {
  const old = {
    maxInstances: 4,
    earlyExecution: false,
    port: 8123,
    channels: ['telegram'],
    channelEditIntervalMs: 50,
    meshEnabled: true,
    meshSlots: 3,
    reflexes: false,
    reflexThreshold: 0.9,
    shadowWorkers: false,
  };
  const { env, file } = await home(t, old);
  const before = await readFile(file, 'utf8');
  const { config, warnings } = await loadTitanConfig(env);
  assert.equal(config.kernel.maxInstances, 4);
  assert.equal(config.agent.earlyExecution, false);
  assert.equal(config.gateway.port, 8123);
  assert.deepEqual([config.channels.enabled, config.channels.editIntervalMs], [['telegram'], 50]);
  assert.deepEqual([config.mesh.enabled, config.mesh.slots], [true, 3]);
  assert.deepEqual([config.reflexes.enabled, config.reflexes.threshold], [false, 0.9]);
  assert.equal(config.shadow.enabled, false);
  assert.equal(warnings.length, 1);
  for (const move of [
    'maxInstances -> kernel.maxInstances',
    'channels -> channels.enabled',
    'channelEditIntervalMs -> channels.editIntervalMs',
    'meshSlots -> mesh.slots',
    'reflexes -> reflexes.enabled',
    'shadowWorkers -> shadow.enabled',
  ]) {
    assert.ok(warnings[0].includes(move), `${move} in: ${warnings[0]}`);
  }
  assert.equal(await readFile(file, 'utf8'), before);
});

test('TITAN_* variables beat the file (nested or old keys), explicit overrides beat both', async (t) => {
  const { env } = await home(
    t,
    { mesh: { slots: 3, listen: ['/ip4/127.0.0.1/tcp/1'] }, port: 8123 },
    {
      TITAN_MESH_SLOTS: '6',
      TITAN_PORT: '9000',
      TITAN_MESH_LISTEN: '/ip4/127.0.0.1/tcp/2, /ip4/127.0.0.1/udp/2/quic-v1',
      TITAN_MESH: '1',
      TITAN_EARLY_EXECUTION: '0',
      TITAN_REFLEX_EMBEDDINGS: 'mesh',
      TITAN_SHADOW_WORKERS: 'off',
      TITAN_HOST: '',
    },
  );
  const { config } = await loadTitanConfig(env);
  assert.equal(config.mesh.slots, 6); // the variable, as a number
  assert.equal(config.gateway.port, 9000); // over the old key too
  assert.equal(config.gateway.host, '127.0.0.1'); // an empty variable counts as unset
  assert.deepEqual(config.mesh.listen, ['/ip4/127.0.0.1/tcp/2', '/ip4/127.0.0.1/udp/2/quic-v1']);
  assert.deepEqual([config.mesh.enabled, config.agent.earlyExecution, config.shadow.enabled], [true, false, false]);
  assert.equal(config.reflexes.embeddings, 'mesh');

  const overridden = await loadTitanConfig(env, { mesh: { slots: 1 }, kernel: { controlSocket: false } });
  assert.deepEqual([overridden.config.mesh.slots, overridden.config.kernel.controlSocket], [1, false]);
});

test('an unknown key is refused with its section named (or the sections listed, at the top)', async (t) => {
  await refused(loadTitanConfig((await home(t, { mesh: { slot: 4 } })).env), /unknown key "slot" in section mesh \(its keys: enabled, listen/);
  await refused(
    loadTitanConfig((await home(t, { maxInstance: 4 })).env),
    new RegExp(`unknown key "maxInstance" at the top of config\\.json \\(its sections: ${SECTIONS.map((section) => section.name).join(', ')}\\)`),
  );
  await refused(loadTitanConfig((await home(t, { telepathy: { enabled: true } })).env), /unknown key "telepathy"/);
  await refused(loadTitanConfig((await home(t, { mesh: true })).env), /section mesh must be an object/);
  await refused(
    loadTitanConfig((await home(t, { mcp: { servers: { fs: { command: 'npx', approvl: 'never' } } } })).env),
    /unknown key "approvl" in mcp\.servers\.fs/,
  );
});

test('a bad value in one section is reported with its section and where it came from, all problems at once', async (t) => {
  await refused(loadTitanConfig((await home(t, { mesh: { slots: 'many' } })).env), /mesh\.slots must be integer \(from config\.json\)/);
  await refused(loadTitanConfig((await home(t, { meshSlots: 'many' })).env), /mesh\.slots must be integer \(from config\.json, old key "meshSlots"\)/);
  await refused(
    loadTitanConfig((await home(t, undefined, { TITAN_REFLEX_THRESHOLD: 'high' })).env),
    /reflexes\.threshold must be number \(from TITAN_REFLEX_THRESHOLD\)/,
  );
  await refused(loadTitanConfig((await home(t, { channels: { enabled: ['IRC chat!'] } })).env), /channels\.enabled\.0 must match pattern/);
  await refused(
    loadTitanConfig((await home(t, { gateway: { host: '' }, shadow: { enabled: 'sometimes' } })).env),
    /gateway\.host .*; shadow\.enabled must be boolean/,
  );
});

test('a key set both in its section and under its old name is refused rather than one silently winning', async (t) => {
  await refused(loadTitanConfig((await home(t, { meshSlots: 2, mesh: { slots: 3 } })).env), /"meshSlots" \(old top-level key\) and "mesh\.slots" are both set/);
});

test('numbers out of range in any section are clamped with a warning naming the section', async (t) => {
  const { config, warnings } = await loadTitanConfig((await home(t, { mesh: { slots: 5000 }, reflexes: { threshold: 0.1 } })).env);
  assert.deepEqual([config.mesh.slots, config.reflexes.threshold], [1024, 0.5]);
  assert.deepEqual(warnings, ['config mesh.slots=5000 is outside 0..1024; using 1024', 'config reflexes.threshold=0.1 is outside 0.5..1; using 0.5']);
});

test('a file that is not one JSON object is refused, and left as it was', async (t) => {
  const { env, file } = await home(t, '{ "mesh": { "slots": 4 }, ');
  await refused(loadTitanConfig(env), /config\.json is not valid JSON/);
  assert.equal(await readFile(file, 'utf8'), '{ "mesh": { "slots": 4 }, ');
  await refused(loadTitanConfig((await home(t, [1, 2])).env), /must hold one JSON object/);
});
