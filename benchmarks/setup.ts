// A kernel in a fresh temporary home for one benchmark, sharing one build cache across runs
// (components are built by the real toolchain once per machine, then reused by content digest).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_ROOT, Kernel, publishComponent } from '../kernel/api.ts';
import type { KernelConfig } from '../kernel/api.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { buildComponent } from '../toolchain/build.ts';

export const BENCH_CACHE = process.env.TITAN_BENCH_CACHE ?? path.join(os.tmpdir(), 'titan-bench-cache');
/** The built-in tools the benchmarks call; other built-ins are left out, so their state never breaks a run. */
export const BENCH_TOOLS = ['echo', 'clock', 'kv'];
export const ECHO_V1_DIR = path.join(BUILTIN_ROOT, 'tools', 'echo');
// echo 1.1.0, whose answer names its version: the same fixture the swap tests use.
export const ECHO_V2_DIR = fileURLToPath(new URL('../test/fixtures/components/echo-v2/', import.meta.url));

export type BenchKernel = { kernel: Kernel; home: string; close(): Promise<void> };

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Opens a kernel in a new temp home; with `builtins`, the built-in echo, clock and kv are built,
 * published and serving (what bootstrapBuiltins does for every built-in).
 */
export async function openBenchKernel(
  options: { builtins?: boolean; home?: string; cacheDir?: string; config?: Partial<KernelConfig> } = {},
): Promise<BenchKernel> {
  const home = options.home ?? (await tempDir('titan-bench-home-'));
  const kernel = await Kernel.open({ home, cacheDir: options.cacheDir ?? BENCH_CACHE, logToFile: false, env: {}, config: options.config });
  const close = async () => {
    await kernel.close();
    if (!options.home) await rm(home, { recursive: true, force: true });
  };
  try {
    if (options.builtins) {
      for (const tool of BENCH_TOOLS) await kernel.deployManifest(await publishDir(kernel, path.join(BUILTIN_ROOT, 'tools', tool)));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { kernel, home, close };
}

/** Builds a component folder (cached by content) and publishes it into the kernel's registry. */
export async function publishDir(kernel: Kernel, dir: string): Promise<PublishedManifest> {
  const built = await buildComponent(dir, { cacheDir: kernel.paths.cache });
  return publishComponent(kernel, built);
}

export function machine(): { cores: number; cpu: string; node: string; platform: string; memoryGb: number } {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function printMachine(): void {
  const m = machine();
  console.log(`machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}, ${m.platform}`);
}
