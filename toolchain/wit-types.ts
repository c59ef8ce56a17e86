// Guest TypeScript declarations for every WIT interface under wit/ (`declare module 'titan:host/kv@0.1.0'`),
// written to components/wit-types/ so components/tsconfig.json type-checks the guest JavaScript against
// the contracts. `node toolchain/wit-types.ts` rewrites them; `--check` fails when they are stale.
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { types as witDeclarations } from '@bytecodealliance/jco';
import { hostVersionOf, witPackages, type WitPackage } from './wit-packages.ts';

export const WIT_TYPES_DIR = fileURLToPath(new URL('../components/wit-types/', import.meta.url));

const HEADER = '// Generated from wit/ by toolchain/wit-types.ts; do not edit.\n';

/**
 * jco writes its own bindings' mapping; guests build with componentize-qjs by default, which hands over
 * u64/s64 as number and a missing option as null (its README, "WIT Type Mappings").
 */
function asQuickJs(text: string): string {
  return text
    .replace(/\bbigint\b/g, 'number')
    .replace(/ \| undefined\b/g, ' | null')
    .replace(/^(\s+[a-zA-Z0-9_]+)\?: ([^,]+),$/gm, '$1?: $2 | null,');
}

/** File name -> declaration text, one file per interface ("titan-host-kv@0.1.0.d.ts"). */
export async function generateWitTypes(): Promise<Map<string, string>> {
  const packages = await witPackages();
  const out = new Map<string, string>();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'titan-wit-types-'));
  try {
    for (const pkg of [...packages.values()].sort((a, b) => key(a).localeCompare(key(b)))) {
      const host = pkg.name === 'titan:host' ? pkg : packages.get(`titan:host@${hostVersionOf(pkg)}`);
      if (!host) continue; // wit-packages reports the missing host package when a component builds
      for (const [module, text] of await packageTypes(pkg, host, path.join(scratch, key(pkg)))) {
        if (module.startsWith(`${pkg.name}/`)) out.set(`${module.slice('titan:'.length).replace('/', '-')}.d.ts`, HEADER + asQuickJs(text));
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return out;
}

/** Declarations of one package's interfaces, from a world that imports or includes all of them. */
async function packageTypes(pkg: WitPackage, host: WitPackage, dir: string): Promise<Map<string, string>> {
  const interfaces = [...pkg.text.matchAll(/^\s*interface\s+([a-z][a-z0-9-]*)\s*\{/gm)].map((m) => m[1]);
  const worlds = [...pkg.text.matchAll(/^\s*world\s+([a-z][a-z0-9-]*)\s*\{/gm)].map((m) => m[1]);
  const lines =
    pkg === host
      ? interfaces.map((name) => `  import ${pkg.name}/${name}@${pkg.version};`)
      : worlds.map((name) => `  include ${pkg.name}/${name}@${pkg.version};`);
  await mkdir(path.join(dir, 'deps'), { recursive: true });
  await writeFile(path.join(dir, 'types.wit'), `package titan:types@0.0.0;\n\nworld all {\n${lines.join('\n')}\n}\n`);
  await writeFile(path.join(dir, 'deps', 'host.wit'), host.text);
  if (pkg !== host) await writeFile(path.join(dir, 'deps', 'kind.wit'), pkg.text);
  const files = await witDeclarations(dir, { worldName: 'all', guest: true, quiet: true });
  const modules = new Map<string, string>();
  for (const bytes of Object.values(files)) {
    const text = Buffer.from(bytes).toString('utf8');
    const declared = /^declare module '([^']+)'/m.exec(text);
    if (declared && !declared[1].startsWith('titan:types/')) modules.set(declared[1], text);
  }
  return modules;
}

const key = (pkg: WitPackage) => `${pkg.name}@${pkg.version}`;

async function main(check: boolean): Promise<number> {
  const wanted = await generateWitTypes();
  await mkdir(WIT_TYPES_DIR, { recursive: true });
  const present = new Map<string, string>();
  for (const name of (await readdir(WIT_TYPES_DIR)).filter((f) => f.endsWith('.d.ts'))) {
    present.set(name, await readFile(path.join(WIT_TYPES_DIR, name), 'utf8'));
  }
  const stale = [...new Set([...wanted.keys(), ...present.keys()])].filter((name) => wanted.get(name) !== present.get(name));
  if (check) {
    if (stale.length === 0) return 0;
    console.error(`components/wit-types/ is out of date with wit/ (${stale.join(', ')}): run \`npm run wit-types\``);
    return 1;
  }
  for (const name of stale) {
    const text = wanted.get(name);
    if (text === undefined) await rm(path.join(WIT_TYPES_DIR, name));
    else await writeFile(path.join(WIT_TYPES_DIR, name), text);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.includes('--check'));
}
