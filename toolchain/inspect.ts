// What a binary really is: read its world from the binary itself (never trust the manifest).
import { TitanError } from '../common/errors.ts';
import { jcoWasmTools } from './jco.ts';

export type ComponentShape = { imports: string[]; exports: string[] };

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function inspectComponent(bytes: Uint8Array): Promise<ComponentShape> {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TitanError('TITAN_E_INVALID_COMPONENT', 'the file is not WebAssembly (bad magic number)');
  }
  // Byte 4..7: version + layer. Core modules are version 1 layer 0; components carry layer 1.
  if (bytes[6] !== 0x01) {
    throw new TitanError('TITAN_E_INVALID_COMPONENT', 'the file is a core WebAssembly module, not a component');
  }
  let wit: string;
  try {
    // wasm-tools loads in ~30 ms: only when a binary is inspected for the first time.
    const { componentWit } = await jcoWasmTools();
    wit = await componentWit(bytes);
  } catch (error) {
    throw new TitanError('TITAN_E_INVALID_COMPONENT', `the component cannot be decoded: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
  const imports = [...wit.matchAll(/^\s*import\s+([a-z][\w:/.@-]*)\s*;/gm)].map((m) => m[1]);
  const exports = [...wit.matchAll(/^\s*export\s+([a-z][\w:/.@-]*)\s*;/gm)].map((m) => m[1]);
  return { imports, exports };
}
