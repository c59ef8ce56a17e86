// The package.json a packed Titan carries: the packages it brings as files in prebuilt/vendor
// (toolchain/vendor.ts) move from dependencies to devDependencies, so neither a server install of the
// package nor `npm install -g` fetches them, nor binaryen, which jco's transpiler lists. A clone keeps
// them as dependencies: it has no prebuilt/vendor and reads them from their packages, also after
// `npm install --omit=dev`. `npm pack` runs `pack` (prepack) and `restore` (postpack); the clone's
// manifest waits beside it meanwhile, so a pack stopped halfway is undone by the next one.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VENDORED_FILES } from '../common/vendored.ts';
import { JCO_ENTRIES } from './jco.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; [key: string]: unknown };

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** The dependencies a packed Titan carries as files: the vendored files' packages, jco's transpiler, the MCP SDK, and binaryen's stand-in. */
export const CARRIED_PACKAGES: readonly string[] = [
  ...new Set([...Object.values(VENDORED_FILES).map(packageOf), ...Object.values(JCO_ENTRIES).map(packageOf), '@modelcontextprotocol/sdk', 'binaryen']),
].sort();

/** The clone's manifest with the carried packages moved to devDependencies (same ranges); everything else as it is. */
export function packedManifest(clone: Manifest): Manifest {
  const dependencies = { ...clone.dependencies };
  const devDependencies = { ...clone.devDependencies };
  for (const name of CARRIED_PACKAGES) {
    if (!(name in dependencies)) continue;
    devDependencies[name] = dependencies[name];
    delete dependencies[name];
  }
  const sorted = (entries: Record<string, string>) => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
  return { ...clone, dependencies: sorted(dependencies), devDependencies: sorted(devDependencies) };
}

/** prepack: package.json becomes the packed manifest; the clone's waits in package.json.clone. */
export async function writePackedManifest(root = ROOT): Promise<void> {
  const file = path.join(root, 'package.json');
  const kept = `${file}.clone`;
  if (existsSync(kept)) await rename(kept, file); // a pack stopped before postpack
  const clone = await readFile(file, 'utf8');
  await writeFile(kept, clone);
  await writeFile(file, `${JSON.stringify(packedManifest(JSON.parse(clone) as Manifest), null, 2)}\n`);
}

/** postpack: the clone's package.json back. */
export async function restoreCloneManifest(root = ROOT): Promise<void> {
  const kept = path.join(root, 'package.json.clone');
  if (existsSync(kept)) await rename(kept, path.join(root, 'package.json'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const verb = process.argv[2];
  if (verb === 'pack') await writePackedManifest();
  else if (verb === 'restore') await restoreCloneManifest();
  else {
    console.error('usage: node toolchain/pack-manifest.ts pack|restore');
    process.exitCode = 2;
  }
}
