// Publishing a binary Titan did not build (another toolchain's output, or a Titan build copied
// out) with the component.json that describes it: the binary is held to that manifest before it
// enters the registry. What it imports is read from its bytes and each import must be granted by
// the manifest's capabilities (the link plan); what it exports must be its declared world's
// interface at that version; then it is linked and smoke-tested in a worker like any publish.
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentDigest } from '../common/digest.ts';
import { TitanError } from '../common/errors.ts';
import { parseWorld, validateSourceManifest, type PublishedManifest, type SourceManifest } from '../registry/manifest.ts';
import { inspectComponent } from '../toolchain/inspect.ts';
import type { Kernel } from './kernel.ts';
import { KIND_EXPORTS } from './kinds.ts';
import { publishComponent } from './publish.ts';

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new TitanError('TITAN_E_SOURCE_MISSING', `${what} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The manifest file as a source manifest; `source` may be left out (there is no source). */
async function readManifest(file: string, wasmFile: string): Promise<SourceManifest> {
  let value: unknown;
  try {
    value = JSON.parse((await readInput(file, 'the manifest')).toString('utf8'));
  } catch (error) {
    if (error instanceof TitanError) throw error;
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value === 'object' && value !== null && !('source' in value)) value = { ...value, source: path.basename(wasmFile) };
  return validateSourceManifest(value, file);
}

/** Its exports, read from the binary, are exactly its world's interface (titan:tool/tool@0.1.0...). */
function checkExports(manifest: SourceManifest, exports: string[], file: string): void {
  const world = parseWorld(manifest.world);
  const expected = `${world.pkg}/${KIND_EXPORTS[manifest.kind].interface}@${world.version}`;
  if (exports.length !== 1 || exports[0] !== expected) {
    throw new TitanError(
      'TITAN_E_MANIFEST_MISMATCH',
      `${file}: the manifest says ${manifest.kind} world ${manifest.world} (exporting ${expected}), the binary exports [${exports.join(', ')}]`,
    );
  }
}

export async function publishBinary(
  kernel: Kernel,
  files: { wasm: string; manifest: string },
  options: { signingKey?: KeyObject } = {},
): Promise<PublishedManifest> {
  const wasm = new Uint8Array(await readInput(files.wasm, 'the component'));
  const manifest = await readManifest(files.manifest, files.wasm);
  const shape = await inspectComponent(wasm);
  checkExports(manifest, shape.exports, files.wasm);
  // Imports the manifest does not grant are refused by the link plan inside publishComponent,
  // before anything runs; the published manifest lists the imports read from the bytes.
  return publishComponent(kernel, { manifest, wasm, backend: manifest.backend ?? 'quickjs', sourceDigest: contentDigest(wasm) }, options);
}
