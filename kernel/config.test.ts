import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isTitanError } from '../common/errors.ts';
import { DEFAULT_CONFIG, loadConfig } from './config.ts';
import { Kernel } from './kernel.ts';

async function configFile(t: TestContext, content?: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.json');
  if (content !== undefined) await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function refused(promise: Promise<unknown>, field: RegExp): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isTitanError(error, 'TITAN_E_CONFIG_INVALID'), `expected TITAN_E_CONFIG_INVALID, got ${String(error)}`);
    assert.match(error.message, field);
    assert.ok(error.fix, 'the error says how to fix it');
    return true;
  });
}

test('no file and no environment: the defaults, without warnings', async (t) => {
  const { config, warnings } = await loadConfig(await configFile(t), {});
  assert.deepEqual(config, DEFAULT_CONFIG);
  assert.deepEqual(warnings, []);
});

test('the file overrides the defaults, TITAN_* variables override the file, explicit overrides win', async (t) => {
  const file = await configFile(t, { kernel: { defaultMemoryMb: 128, maxInstances: 4, logLevel: 'warn', autoApprovePatches: true } });
  const env = { TITAN_MAX_INSTANCES: '16', TITAN_WORKER_THREADS: '3', TITAN_AUTO_APPROVE_PATCHES: 'false', TITAN_CONTROL_SOCKET: '', UNRELATED: 'x' };

  const { config, warnings } = await loadConfig(file, env);
  assert.deepEqual(config, {
    ...DEFAULT_CONFIG,
    defaultMemoryMb: 128, // file
    logLevel: 'warn', // file
    maxInstances: 16, // environment beats file, and text becomes a number
    workerThreads: 3,
    autoApprovePatches: false, // "false" becomes a boolean
    controlSocket: true, // an empty variable counts as unset
  });
  assert.deepEqual(warnings, []);

  const overridden = await loadConfig(file, env, { maxInstances: 2 });
  assert.equal(overridden.config.maxInstances, 2);
});

// TITAN_MESH=1 and TITAN_EARLY_EXECUTION=0 (other sections): bin/config.test.ts.
test('switches in the environment take 1/0, yes/no and on/off as well as true/false', async (t) => {
  const file = await configFile(t);
  const { config } = await loadConfig(file, { TITAN_AUTO_APPROVE_PATCHES: 'Yes', TITAN_CONTROL_SOCKET: 'off' });
  assert.deepEqual([config.autoApprovePatches, config.controlSocket], [true, false]);
  const more = await loadConfig(file, { TITAN_AUTO_APPROVE_PATCHES: '0', TITAN_CONTROL_SOCKET: 'on' });
  assert.deepEqual([more.config.autoApprovePatches, more.config.controlSocket], [false, true]);
});

test('a field of the wrong type is refused with the field named', async (t) => {
  await refused(loadConfig(await configFile(t, { kernel: { maxInstances: 'lots' } }), {}), /kernel\.maxInstances must be integer \(from config\.json\)/);
  await refused(loadConfig(await configFile(t, { kernel: { defaultTimeoutMs: 1.5 } }), {}), /defaultTimeoutMs/);
  await refused(loadConfig(await configFile(t, { kernel: { logLevel: 'loud' } }), {}), /logLevel/);
  await refused(loadConfig(await configFile(t), { TITAN_WORKER_THREADS: 'four' }), /kernel\.workerThreads must be integer \(from TITAN_WORKER_THREADS\)/);
  await refused(loadConfig(await configFile(t), { TITAN_AUTO_APPROVE_PATCHES: 'maybe' }), /autoApprovePatches/);
});

// A typo at the top level is refused when every section is loaded (bin/config.test.ts).
test('an unknown field (a typo) is refused rather than silently ignored', async (t) => {
  await refused(loadConfig(await configFile(t, { kernel: { maxInstance: 4 } }), {}), /unknown key "maxInstance" in section kernel/);
});

test('the kernel alone reads its old top-level keys with a warning and leaves other sections to their parts', async (t) => {
  const file = await configFile(t, { maxInstances: 4, meshSlots: 2, mesh: { slots: 3 }, gateway: { port: 'not checked here' } });
  const { config, warnings } = await loadConfig(file, {});
  assert.equal(config.maxInstances, 4);
  assert.deepEqual(warnings, ['config.json uses top-level keys from before sections; they still work, but move them: maxInstances -> kernel.maxInstances']);
});

test('a file that is not JSON is refused with the file named', async (t) => {
  const file = await configFile(t, '{ "maxInstances": 4, ');
  await refused(loadConfig(file, {}), new RegExp(`${path.basename(file)} is not valid JSON`));
});

test('numbers out of range are clamped into range, each with a warning', async (t) => {
  const file = await configFile(t, { kernel: { defaultMemoryMb: 1, maxInstances: 100000 } });
  const { config, warnings } = await loadConfig(file, { TITAN_WORKER_THREADS: '0', TITAN_DEFAULT_TIMEOUT_MS: '99999999' });
  assert.equal(config.defaultMemoryMb, 8);
  assert.equal(config.maxInstances, 256);
  assert.equal(config.workerThreads, 1);
  assert.equal(config.defaultTimeoutMs, 600000);
  assert.equal(warnings.length, 4);
  assert.ok(
    warnings.some((w) => /defaultMemoryMb=1 .*8\.\.4096.* 8$/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /maxInstances=100000 .* 256$/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /workerThreads=0 .* 1$/.test(w)),
    warnings.join('\n'),
  );
});

test('the kernel starts with clamped values and reports the warnings; a wrong type keeps it from starting', async (t) => {
  const file = await configFile(t, { kernel: { maxInstances: 0 } });
  const home = path.dirname(file);
  const kernel = await Kernel.open({ home, env: {}, logToFile: false });
  try {
    assert.equal(kernel.config.maxInstances, 1);
    assert.deepEqual(kernel.warnings, ['config kernel.maxInstances=0 is outside 1..256; using 1']);
  } finally {
    await kernel.close();
  }

  await refused(Kernel.open({ home, env: { TITAN_DEFAULT_MEMORY_MB: 'big' }, logToFile: false }), /defaultMemoryMb/);
});
