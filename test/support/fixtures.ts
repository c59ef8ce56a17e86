// Test support for the kernel suites: fixture components built by the real toolchain (cached in
// TEST_CACHE, so each is compiled once per machine), publishing them the way the kernel does or
// forcing them past the kernel's checks, coded-error assertions, and snapshots of what serves.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../../common/digest.ts';
import { isTitanError, type ErrorCode } from '../../common/errors.ts';
import { Kernel, type KernelOptions } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { parseWorld, type PublishedManifest } from '../../registry/manifest.ts';
import type { PublishInput } from '../../registry/registry.ts';
import { buildComponent, type BuiltComponent } from '../../toolchain/build.ts';
import type { ProgressReporter } from '../../toolchain/progress.ts';
import { openTestKernel, TEST_CACHE } from './kernel.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/components/', import.meta.url));
export const BUILTINS = fileURLToPath(new URL('../../components/', import.meta.url));

const builds = new Map<string, Promise<BuiltComponent>>();

/** Builds a folder under test/fixtures/components (or an absolute folder) once per process. */
export function buildFixture(dir: string): Promise<BuiltComponent> {
  const full = path.isAbsolute(dir) ? dir : path.join(FIXTURES, dir);
  let built = builds.get(full);
  if (!built) {
    built = buildComponent(full, { cacheDir: TEST_CACHE });
    builds.set(full, built);
    built.catch(() => builds.delete(full));
  }
  return built;
}

/** The folder of a built-in tool (components/tools/<name>), usable wherever a fixture folder is. */
export function builtin(name: string): string {
  return path.join(BUILTINS, 'tools', name);
}

export function buildBuiltin(name: string): Promise<BuiltComponent> {
  return buildFixture(builtin(name));
}

/** Publishes a fixture exactly as `titan registry publish` does: linked, described, smoke-tested. */
export async function publishFixture(kernel: Kernel, dir: string): Promise<PublishedManifest> {
  return publishComponent(kernel, await buildFixture(dir));
}

/** Publishes and deploys a fixture; returns the manifest that serves. */
export async function deployFixture(kernel: Kernel, dir: string): Promise<PublishedManifest> {
  const manifest = await publishFixture(kernel, dir);
  await kernel.deployManifest(manifest);
  return manifest;
}

/**
 * Puts a built component into the registry with the registry's own checks only (header, schema),
 * skipping the kernel's link and smoke test: how a bad version reaches the registry through an
 * import or another tool. `change` edits the manifest first.
 */
export async function forcePublish(
  kernel: Kernel,
  built: BuiltComponent,
  change: (input: PublishInput) => PublishInput = (i) => i,
): Promise<PublishedManifest> {
  const { source: _source, ...declared } = built.manifest;
  const world = parseWorld(declared.world);
  const shape = await kernel.loader.inspect(built.digest, built.wasm);
  const input: PublishInput = {
    ...declared,
    witPackage: `${world.pkg}@${world.version}`,
    backend: built.backend,
    description: `${declared.name} ${declared.version}, published without the kernel's checks`,
    schema: { type: 'object' },
    imports: shape.imports,
    sourceDigest: built.sourceDigest,
  };
  return kernel.registry.publish(built.wasm, change(input));
}

/** Asserts the promise rejects with a TitanError of this code; returns the error. */
export async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error & { code: string }> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(
    isTitanError(caught, code),
    `expected ${code}, got ${String((caught as { code?: string })?.code)}: ${String((caught as Error)?.message ?? caught)}`,
  );
  return caught as Error & { code: string };
}

/** Opens a kernel on an existing home (a restart), with the shared test build cache. */
export function reopenKernel(home: string, options: KernelOptions = {}): Promise<Kernel> {
  return Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {}, ...options });
}

/** A fresh kernel for one test, closed and removed after it, with these fixtures deployed. */
export async function kernelFor(
  t: TestContext,
  deployed: string[] = [],
  options: KernelOptions = {},
): Promise<{ kernel: Kernel; home: string; manifests: PublishedManifest[] }> {
  const { kernel, home, cleanup } = await openTestKernel(options);
  t.after(cleanup);
  const manifests: PublishedManifest[] = [];
  for (const dir of deployed) manifests.push(await deployFixture(kernel, dir));
  return { kernel, home, manifests };
}

/** slot -> serving version, for every slot the kernel knows. */
export function serving(kernel: Kernel): Record<string, string | null> {
  return Object.fromEntries(kernel.components().map((c) => [c.slot, c.version]));
}

/** Every published version (yanked included) with its digest. */
export async function registryContents(kernel: Kernel): Promise<string[]> {
  return (await kernel.registry.list({ includeYanked: true })).map((m) => `${m.kind}/${m.name}@${m.version} ${m.digest}`);
}

/** What a user can see of the kernel's state: the registry, what serves, and the rollback history. */
export async function kernelState(kernel: Kernel): Promise<{ registry: string[]; serving: Record<string, string | null>; history: Record<string, string[]> }> {
  return {
    registry: await registryContents(kernel),
    serving: serving(kernel),
    history: Object.fromEntries(kernel.components().map((c) => [c.slot, c.previous])),
  };
}

/**
 * Every file of the home that records state (registry, deployments, patches, kv) by content:
 * equal snapshots mean a refused operation wrote nothing.
 */
export async function snapshotHome(kernel: Kernel): Promise<Record<string, string>> {
  const { home } = kernel.paths;
  const files: Record<string, string> = {};
  for (const entry of await readdir(home, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(home, file);
    if (/^(registry|kv)\//.test(relative) || relative === 'deployments.json' || relative === 'patches.json') {
      files[relative] = sha256(await readFile(file));
    }
  }
  return files;
}

export type Deferred<T> = { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void };

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A progress reporter that records each build step ("tool/echo@1.0.0" -> "cached" or "812 ms"). */
export function recordingProgress(): ProgressReporter & { steps: Array<{ item: string; detail: string }> } {
  const steps: Array<{ item: string; detail: string }> = [];
  return {
    steps,
    start() {},
    step(item, detail) {
      steps.push({ item, detail });
    },
    done() {},
  };
}
