// A component's core modules compiled under its memory cap (the cap rewrites each module's memory
// maximum first). Kept apart from the loader: worker threads compile with it and load nothing else.
import { TitanError } from '../common/errors.ts';
import { capMemory } from './memory-cap.ts';

export async function compileAll(cores: ReadonlyMap<string, Uint8Array>, memoryMb: number): Promise<Map<string, WebAssembly.Module>> {
  const compiled = new Map<string, WebAssembly.Module>();
  for (const [name, bytes] of cores) {
    try {
      compiled.set(name, await WebAssembly.compile(capMemory(bytes, memoryMb * 1024 * 1024) as Uint8Array<ArrayBuffer>));
    } catch (error) {
      if (error instanceof TitanError) throw error;
      throw new TitanError('TITAN_E_INVALID_COMPONENT', `core module ${name} does not compile: ${(error as Error).message}`);
    }
  }
  return compiled;
}
