// One componentize run in a worker thread of the build pool (toolchain/build-pool.ts). A coded
// error crosses back as data: a thrown error loses its `code` on the way out of a thread.
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { Backend } from '../registry/manifest.ts';
import { componentizeSource, type GuestInput } from './componentize.ts';
import type { BuildWorld } from './wit-packages.ts';

export type ComponentizeTask = { source: GuestInput; world: BuildWorld; backend: Backend };
export type ComponentizeOutcome = { wasm: Uint8Array } | { code: ErrorCode; message: string };

export default async function componentizeTask({ source, world, backend }: ComponentizeTask): Promise<ComponentizeOutcome> {
  try {
    return { wasm: await componentizeSource(source, world, backend) };
  } catch (error) {
    if (error instanceof TitanError) return { code: error.code, message: error.message };
    return { code: 'TITAN_E_BUILD_FAILED', message: String((error as Error).message ?? error) };
  }
}
