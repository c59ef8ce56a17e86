// Builds one reflex component folder in a child process of its own (compiler.ts starts it), and
// prepares it for the kernel there too (its world inspected, its glue transpiled, into the caches
// the kernel's loader reads). The compiler and jco's transpiler are native addons and wasm modules:
// once loaded they keep their code, threads and allocations in the process for good (a kernel went
// from 105 to 299 MB after one reflex build in a worker thread). A child process gives all of it
// back when it exits, and the kernel's event loop (the request path) never waits on a build's CPU.
import { ComponentLoader } from '../../kernel/loader.ts';
import { draftManifest } from '../../kernel/publish.ts';
import { buildComponent } from '../../toolchain/build.ts';

export type BuildReply = { ok: true; built: Awaited<ReturnType<typeof buildComponent>> } | { ok: false; code: string; message: string };

const [dir, cacheDir] = process.argv.slice(2) as [string, string];
let reply: BuildReply;
try {
  const built = await buildComponent(dir, { cacheDir });
  // Spread reads the cached build's bytes (a getter) into a plain object the channel can copy.
  reply = { ok: true, built: { ...built, wasm: new Uint8Array(built.wasm) } };
  const loader = new ComponentLoader(cacheDir);
  try {
    await loader.prepare(draftManifest(built, built.digest, await loader.inspect(built.digest, built.wasm)), built.wasm);
  } catch {
    // A binary that cannot be prepared is refused by the kernel's publish, which says why.
  }
} catch (error) {
  const coded = error as { code?: unknown; message?: string };
  const code = typeof coded.code === 'string' && coded.code.startsWith('TITAN_E_') ? coded.code : 'TITAN_E_BUILD_FAILED';
  reply = { ok: false, code, message: coded.message ?? String(error) };
}
// The answer is flushed before the channel closes; the process then has nothing left to run and exits.
process.send?.(reply, () => process.disconnect());
