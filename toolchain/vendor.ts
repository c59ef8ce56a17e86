// At `npm pack` (toolchain/prebuild.ts): writes prebuilt/vendor/, the libraries an installed Titan
// carries as files (common/vendored.ts), so their packages are development installs: the web UI's
// browser builds and Turndown's copied as they are, and the parts of the MCP SDK Titan uses bundled
// with esbuild (agent/mcp/sdk-parts.ts: the client, its transports, the server and its stdio and
// Streamable HTTP transports) with the packages they reach, and so are jco's transpiler and wasm-tools
// (toolchain/jco.ts). Each package's licence goes with it.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';
import type { BuildOptions, Plugin } from 'esbuild';
import { packageFile, VENDOR_DIR, VENDORED_FILES, type VendoredName } from '../common/vendored.ts';
import { JCO_ENTRIES } from './jco.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The MCP bundle's entries: out/<name>.js <- source. */
const MCP_ENTRIES = { sdk: 'agent/mcp/sdk-parts.ts', 'http-server': 'agent/mcp/sdk-http-server.ts' };

// esbuild writes ES modules; the CommonJS packages inside them call require() for Node's modules.
const REQUIRE_BANNER = "import { createRequire as __titanCreateRequire } from 'node:module'; const require = __titanCreateRequire(import.meta.url);";

type Shipped = { name: string; version: string; license: string };

/** The package folder (its package.json's) holding a file, walking up from it. */
function packageRoot(file: string): string {
  let dir = path.dirname(file);
  while (
    !existsSync(path.join(dir, 'package.json')) ||
    !dir
      .split(path.sep)
      .at(-2)
      ?.match(/^(node_modules|@.+)$/)
  ) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new TitanError('TITAN_E_INTERNAL', `no package folder above ${file}`);
    dir = parent;
  }
  return dir;
}

/** Copies a package's licence files into licenses/<name>/ and says what it is. */
async function shipLicence(root: string, out: string): Promise<Shipped> {
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const target = path.join(out, 'licenses', manifest.name);
  await mkdir(target, { recursive: true });
  for (const file of await readdir(root)) if (/^(licen[cs]e|notice|copying)/i.test(file)) await copyFile(path.join(root, file), path.join(target, file));
  return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'see its licence file' };
}

/** esbuild, which only packing needs. */
async function loadEsbuild(): Promise<typeof import('esbuild')> {
  try {
    return await import('esbuild');
  } catch {
    throw new TitanError('TITAN_E_BUNDLER_MISSING', "packing bundles the MCP SDK and jco's transpiler with esbuild, which is not installed");
  }
}

/**
 * jco's minifier (oxc-minify, a native package) stands in as a module that refuses: Titan never asks
 * for minified glue, and its package would be one more native install for every platform.
 */
const minifierAbsent: Plugin = {
  name: 'titan-minifier-absent',
  setup(build) {
    build.onResolve({ filter: /^oxc-minify$/ }, () => ({ path: 'oxc-minify', namespace: 'titan-absent' }));
    build.onLoad({ filter: /.*/, namespace: 'titan-absent' }, () => ({
      contents: "export function minify() { throw new Error('minified glue is not shipped with Titan'); }",
      loader: 'js',
    }));
  },
};

/** Bundles `entries` (out/<dir>/<name>.js) with what they import; returns the packages they come from. */
async function bundle(out: string, dir: string, entries: Record<string, string>, options: BuildOptions = {}): Promise<string[]> {
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
    ...options,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, source.startsWith('.') ? path.join(ROOT, source) : source])),
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    keepNames: true,
    outdir: path.join(out, dir),
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none', // the licences are copied whole, below
  });
  const roots = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.includes('node_modules/')) roots.add(packageRoot(path.resolve(ROOT, input)));
  }
  return [...roots];
}

/**
 * jco's transpiler and wasm-tools (toolchain/jco.ts), with the core WebAssembly modules they load
 * from beside themselves (new URL(..., import.meta.url): esbuild leaves it, so they are copied next
 * to the chunks). The WASI shim stays an import: Titan depends on it for the components it runs.
 */
async function bundleJco(out: string): Promise<string[]> {
  const roots = await bundle(out, 'jco', JCO_ENTRIES, {
    external: ['@bytecodealliance/preview2-shim', '@bytecodealliance/preview2-shim/*'],
    plugins: [minifierAbsent],
  });
  const vendorDir = path.join(packageRoot(fileURLToPath(import.meta.resolve(JCO_ENTRIES.transpile))), 'vendor');
  const cores = (await readdir(vendorDir)).filter((name) => name.endsWith('.wasm'));
  if (cores.length === 0) throw new TitanError('TITAN_E_INTERNAL', `jco-transpile's core modules are not in ${vendorDir}`);
  for (const name of cores) await copyFile(path.join(vendorDir, name), path.join(out, 'jco', name));
  return roots;
}

/** Writes prebuilt/vendor anew; returns how many files and bundled packages it holds. */
export async function shipVendored(out = VENDOR_DIR): Promise<{ files: number; packages: number }> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const roots = new Set<string>();
  for (const name of Object.keys(VENDORED_FILES) as VendoredName[]) {
    const file = packageFile(name);
    if (!file) throw new TitanError('TITAN_E_INTERNAL', `packing needs ${VENDORED_FILES[name]} (a dev dependency): run npm install`);
    await copyFile(file, path.join(out, name));
    roots.add(packageRoot(file));
  }
  for (const root of await bundle(out, 'mcp', MCP_ENTRIES)) roots.add(root);
  for (const root of await bundleJco(out)) roots.add(root);
  const shipped = await Promise.all([...roots].map((root) => shipLicence(root, out)));
  shipped.sort((a, b) => a.name.localeCompare(b.name));
  await writeFile(
    path.join(out, 'NOTICE'),
    'Files here are copies of, or bundles (mcp/, jco/) built from, these npm packages, each under its licence in licenses/<name>:\n' +
      shipped.map((p) => `  ${p.name}@${p.version} (${p.license})\n`).join(''),
  );
  return { files: Object.keys(VENDORED_FILES).length, packages: shipped.length };
}
