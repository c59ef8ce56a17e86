// Builds one reflex component folder in a worker thread: componentizing takes about a second of
// CPU, which must not stall the kernel's event loop (the request path) while it compiles.
import { parentPort, workerData } from 'node:worker_threads';
import { buildComponent } from '../../toolchain/build.ts';

const { dir, cacheDir } = workerData as { dir: string; cacheDir: string };
try {
  const built = await buildComponent(dir, { cacheDir });
  // A copy in a buffer of its own: a pooled Buffer's memory cannot be transferred.
  const wasm = new Uint8Array(built.wasm);
  parentPort!.postMessage({ ok: true, built: { ...built, wasm } }, [wasm.buffer]);
} catch (error) {
  const coded = error as { code?: unknown; message?: string };
  const code = typeof coded.code === 'string' && coded.code.startsWith('TITAN_E_') ? coded.code : 'TITAN_E_BUILD_FAILED';
  parentPort!.postMessage({ ok: false, code, message: coded.message ?? String(error) });
}
