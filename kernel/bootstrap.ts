// First start: build the built-in components from components/ (cached by content after the first
// time), publish the versions the registry lacks, and deploy each one whose slot is empty. A
// built-in (or any registry version) newer than what serves is proposed as a patch, never swapped
// in silently.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { buildComponents, findComponentDirs, type BuiltComponent } from '../toolchain/build.ts';
import { silentProgress, type ProgressReporter } from '../toolchain/progress.ts';
import { BUILTIN_ROOT } from './builtins.ts';
import type { Kernel } from './kernel.ts';
import { publishComponent } from './publish.ts';
import { proposeNewerVersions } from './update-watcher.ts';

export { BUILTIN_ROOT };

export type BootstrapReport = { published: string[]; deployed: string[]; proposed: string[]; failed: Array<{ slot: string; error: string }> };

/** The built-ins' slots (kind/name of each component.json under `root`): a start reads them while it restores the deployments. */
export async function builtinSlots(root = BUILTIN_ROOT): Promise<string[]> {
  return Promise.all(
    (await findComponentDirs(root)).map(async (dir) => {
      const { kind, name } = JSON.parse(await readFile(path.join(dir, 'component.json'), 'utf8')) as { kind: string; name: string };
      return `${kind}/${name}`;
    }),
  );
}

/** Whether every built-in has a serving version (after restoring the deployments): then checking
 * the built-ins for changes can wait until the kernel is ready. */
export async function builtinsServing(kernel: Kernel, builtins: Promise<string[]> | string[] = builtinSlots()): Promise<boolean> {
  const serving = new Set(
    kernel
      .components()
      .filter((c) => c.version)
      .map((c) => c.slot),
  );
  return (await builtins).every((slot) => serving.has(slot));
}

export async function bootstrapBuiltins(kernel: Kernel, options: { root?: string; progress?: ProgressReporter } = {}): Promise<BootstrapReport> {
  const report: BootstrapReport = { published: [], deployed: [], proposed: [], failed: [] };
  for (const failure of await kernel.restoreDeployments()) {
    report.failed.push({ slot: failure.slot, error: `${failure.error.code}: ${failure.error.message}` });
  }
  const dirs = await findComponentDirs(options.root ?? BUILTIN_ROOT);
  const built = await buildComponents(dirs, { cacheDir: kernel.paths.cache, progress: options.progress ?? silentProgress });
  // What this installation built from its own sources is what runs inline without a grant.
  for (const component of built) await kernel.builtins.add(component.digest);
  // Two or three at a time: one built-in's smoke test (in a worker) overlaps another's compile here.
  const outcomes = await inTurns(built, BRING_AT_ONCE, (component) => bringIn(kernel, component));
  for (const outcome of outcomes) {
    if (outcome.published) report.published.push(outcome.ref);
    if (outcome.deployed) report.deployed.push(outcome.ref);
    if (outcome.failed) report.failed.push(outcome.failed);
  }
  report.proposed = (await proposeNewerVersions(kernel)).map((p) => `${p.slot}@${p.toVersion}`);
  return report;
}

const BRING_AT_ONCE = 3;

type BringOutcome = { ref: string; published?: boolean; deployed?: boolean; failed?: { slot: string; error: string } };

/** Publishes a built-in the registry lacks, and deploys it when its slot is empty. */
async function bringIn(kernel: Kernel, component: BuiltComponent): Promise<BringOutcome> {
  const { kind, name, version } = component.manifest;
  const outcome: BringOutcome = { ref: `${kind}/${name}@${version}` };
  const failure = (error: unknown) => ({ slot: `${kind}/${name}`, error: error instanceof TitanError ? `${error.code}: ${error.message}` : String(error) });
  let manifest: PublishedManifest;
  try {
    manifest = await kernel.registry.show({ kind, name, version }).catch(async (error: unknown) => {
      if (!(error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND')) throw error;
      const published = await publishComponent(kernel, component);
      outcome.published = true;
      return published;
    });
  } catch (error) {
    // One broken built-in is reported; the others still start.
    return { ...outcome, failed: failure(error) };
  }
  if (kernel.components().some((c) => c.slot === `${kind}/${name}` && c.version)) return outcome;
  try {
    await kernel.deployManifest(manifest);
    outcome.deployed = true;
  } catch (error) {
    outcome.failed = failure(error);
  }
  return outcome;
}

/** `work` on every item, at most `atOnce` at a time; the results keep the items' order. */
async function inTurns<T, R>(items: readonly T[], atOnce: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, lane));
  return results;
}
