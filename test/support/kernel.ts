// Test support: a kernel in a fresh temporary TITAN_HOME, sharing one build cache across tests
// (components are built by the real toolchain once per machine, then reused by content digest).
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapBuiltins, Kernel, type KernelOptions } from '../../kernel/api.ts';

export const TEST_CACHE = process.env.TITAN_TEST_CACHE ?? path.join(os.tmpdir(), 'titan-test-cache');

export async function tempHome(prefix = 'titan-home-'): Promise<{ home: string; cleanup(): Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

export async function openTestKernel(options: KernelOptions = {}): Promise<{ kernel: Kernel; home: string; cleanup(): Promise<void> }> {
  const { home, cleanup } = await tempHome();
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {}, ...options });
  return {
    kernel,
    home,
    async cleanup() {
      await kernel.close();
      await cleanup();
    },
  };
}

/** A stopped home as `titan start` leaves it: the shared build cache linked in and every built-in
 *  deployed, for tests of commands that run on a home whose kernel is not running. */
export async function stoppedHome(prefix: string): Promise<{ home: string; cleanup(): Promise<void> }> {
  const made = await tempHome(prefix);
  await symlink(TEST_CACHE, path.join(made.home, 'cache'));
  const kernel = await Kernel.open({ home: made.home, logToFile: false, env: {} });
  try {
    assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
  } finally {
    await kernel.close();
  }
  return made;
}
