// The WIT contracts under wit/: one folder per package version ("host@0.1.0", "tool@0.2.0").
// A component is built against a world made for it: its kind's world plus exactly the host
// interfaces its manifest declares, so the binary imports nothing it was not granted.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';
import { sha256 } from '../common/digest.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { parseWorld } from '../registry/manifest.ts';

export const WIT_ROOT = fileURLToPath(new URL('../wit/', import.meta.url));

export type WitPackage = { name: string; version: string; dir: string; text: string };

let packagesOnce: Promise<Map<string, WitPackage>> | undefined;

/** Every package under wit/, keyed "titan:tool@0.1.0". */
export function witPackages(root = WIT_ROOT): Promise<Map<string, WitPackage>> {
  if (root !== WIT_ROOT) return readPackages(root);
  packagesOnce ??= readPackages(root);
  return packagesOnce;
}

async function readPackages(root: string): Promise<Map<string, WitPackage>> {
  const found = new Map<string, WitPackage>();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.wit')).sort();
    const text = (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
    const declared = /^package\s+(titan:[a-z0-9-]+)@(\d+\.\d+\.\d+)\s*;/m.exec(text);
    if (!declared) continue;
    found.set(`${declared[1]}@${declared[2]}`, { name: declared[1], version: declared[2], dir, text });
  }
  return found;
}

/** The titan:host version a kind package builds on, read from its `import titan:host/...@x.y.z`. */
export function hostVersionOf(pkg: WitPackage): string {
  const match = /titan:host\/[a-z0-9-]+@(\d+\.\d+\.\d+)/.exec(pkg.text);
  if (!match) throw new TitanError('TITAN_E_WIT_UNKNOWN', `${pkg.name}@${pkg.version} imports no titan:host interface`);
  return match[1];
}

export type BuildWorld = { witDir: string; worldName: string; hostVersion: string; key: string };

/**
 * Writes (once, cached by content) a WIT folder whose root world includes the kind's world and
 * imports the declared capabilities. Capabilities are host interface names ("kv", "clock").
 */
export async function prepareBuildWorld(world: string, capabilities: string[], cacheDir: string): Promise<BuildWorld> {
  const { pkg, world: worldName, version } = parseWorld(world);
  const packages = await witPackages();
  const kindPackage = packages.get(`${pkg}@${version}`);
  if (!kindPackage || !new RegExp(`\\bworld\\s+${worldName}\\b`).test(kindPackage.text)) {
    throw new TitanError('TITAN_E_WIT_UNKNOWN', `world ${world} is not defined under wit/`);
  }
  const hostVersion = hostVersionOf(kindPackage);
  const hostPackage = packages.get(`titan:host@${hostVersion}`);
  if (!hostPackage) throw new TitanError('TITAN_E_WIT_UNKNOWN', `titan:host@${hostVersion} is not defined under wit/`);
  for (const capability of capabilities) {
    if (!new RegExp(`\\binterface\\s+${capability}\\s*\\{`).test(hostPackage.text)) {
      throw new TitanError('TITAN_E_CAPABILITY_INVALID', `capability "${capability}" is not an interface of titan:host@${hostVersion}`);
    }
  }
  const imports = [...new Set(capabilities)].sort().map((c) => `  import titan:host/${c}@${hostVersion};`);
  const root = `package titan:build@0.0.0;\n\nworld component {\n  include ${world};\n${imports.join('\n')}\n}\n`;
  const key = sha256(root, kindPackage.text, hostPackage.text);
  const witDir = path.join(cacheDir, 'wit', key);
  await mkdir(path.join(witDir, 'deps'), { recursive: true });
  await writeFileAtomic(path.join(witDir, 'component.wit'), root);
  await writeFileAtomic(path.join(witDir, 'deps', `host-${hostVersion}.wit`), hostPackage.text);
  if (kindPackage !== hostPackage) {
    await writeFileAtomic(path.join(witDir, 'deps', `${pkg.slice('titan:'.length)}-${version}.wit`), kindPackage.text);
  }
  return { witDir, worldName: 'component', hostVersion, key };
}
