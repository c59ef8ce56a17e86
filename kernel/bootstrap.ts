// First start: build the built-in components from components/ (cached by content after the first
// time), publish the versions the registry lacks, and deploy each one whose slot is empty. A
// built-in (or any registry version) newer than what serves is proposed as a patch, never swapped
// in silently.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { buildComponents, findComponentDirs } from '../toolchain/build.ts';
import { silentProgress, type ProgressReporter } from '../toolchain/progress.ts';
import { BUILTIN_ROOT } from './builtins.ts';
import type { Kernel } from './kernel.ts';
import { publishComponent } from './publish.ts';
import { proposeNewerVersions } from './update-watcher.ts';

export { BUILTIN_ROOT };

export type BootstrapReport = { published: string[]; deployed: string[]; proposed: string[]; failed: Array<{ slot: string; error: string }> };

/** Whether every built-in has a serving version (after restoring the deployments): then checking
 * the built-ins for changes can wait until the kernel is ready. */
export async function builtinsServing(kernel: Kernel, root = BUILTIN_ROOT): Promise<boolean> {
  const serving = new Set(
    kernel
      .components()
      .filter((c) => c.version)
      .map((c) => c.slot),
  );
  for (const dir of await findComponentDirs(root)) {
    const { kind, name } = JSON.parse(await readFile(path.join(dir, 'component.json'), 'utf8')) as { kind: string; name: string };
    if (!serving.has(`${kind}/${name}`)) return false;
  }
  return true;
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
  for (const component of built) {
    const { kind, name, version } = component.manifest;
    const ref = `${kind}/${name}@${version}`;
    let manifest: PublishedManifest;
    try {
      manifest = await kernel.registry.show({ kind, name, version }).catch(async (error: unknown) => {
        if (!(error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND')) throw error;
        const published = await publishComponent(kernel, component);
        report.published.push(ref);
        return published;
      });
    } catch (error) {
      // One broken built-in is reported; the others still start.
      report.failed.push({ slot: `${kind}/${name}`, error: error instanceof TitanError ? `${error.code}: ${error.message}` : String(error) });
      continue;
    }
    if (kernel.components().some((c) => c.slot === `${kind}/${name}` && c.version)) continue;
    try {
      await kernel.deployManifest(manifest);
      report.deployed.push(ref);
    } catch (error) {
      report.failed.push({ slot: `${kind}/${name}`, error: error instanceof TitanError ? `${error.code}: ${error.message}` : String(error) });
    }
  }
  report.proposed = (await proposeNewerVersions(kernel)).map((p) => `${p.slot}@${p.toVersion}`);
  return report;
}
