// A component's core modules compiled under its memory cap (the cap rewrites each module's memory
// maximum first). Kept apart from the loader: worker threads compile with it and load nothing else.
// Every compile is told on the diagnostics channel "titan:kernel.compile" of its thread (a worker
// thread's are told again in the kernel's by its deployment, worker-host.ts): tests count them.
import { channel } from 'node:diagnostics_channel';
import { isMainThread } from 'node:worker_threads';
import { TitanError } from '../common/errors.ts';
import { readTranspiled } from '../toolchain/transpile.ts';
import { capMemory } from './memory-cap.ts';

/** `who`: kind/name@version when known; `where`: the thread that compiled. */
export type CompileNotice = { who: string; where: 'kernel' | 'thread' };
export const compiles = channel('titan:kernel.compile');

export async function compileAll(cores: ReadonlyMap<string, Uint8Array>, memoryMb: number, who = ''): Promise<Map<string, WebAssembly.Module>> {
  const compiled = new Map<string, WebAssembly.Module>();
  for (const [name, bytes] of cores) {
    try {
      compiled.set(name, await WebAssembly.compile(capMemory(bytes, memoryMb * 1024 * 1024) as Uint8Array<ArrayBuffer>));
    } catch (error) {
      if (error instanceof TitanError) throw error;
      throw new TitanError('TITAN_E_INVALID_COMPONENT', `core module ${name} does not compile: ${(error as Error).message}`);
    }
  }
  if (compiles.hasSubscribers) compiles.publish({ who, where: isMainThread ? 'kernel' : 'thread' } satisfies CompileNotice);
  return compiled;
}

/** The core modules of a transpiled folder, compiled: the kernel compiles a worker component once, for all its threads. */
export async function compileFolder(dir: string, memoryMb: number, who: string): Promise<Map<string, WebAssembly.Module>> {
  const transpiled = await readTranspiled(dir);
  if (!transpiled) throw new TitanError('TITAN_E_INVALID_COMPONENT', `${who}: its transpiled folder ${dir} is missing`);
  return compileAll(transpiled.cores, memoryMb, who);
}
