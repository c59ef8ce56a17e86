// Publishing a built component: the kernel links it exactly as it would to serve it (so an
// undeclared import or a wrong world is refused before it enters the registry), asks the running
// component to describe itself, and stores that description and schema in the manifest.
import type { KeyObject } from 'node:crypto';
import { contentDigest } from '../common/digest.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { parseWorld, validatePublishedManifest } from '../registry/manifest.ts';
import type { BuiltComponent } from '../toolchain/build.ts';
import type { ComponentShape } from '../toolchain/inspect.ts';
import { isBuiltinSource } from './builtins.ts';
import { rememberSource } from './derive.ts';
import type { Kernel } from './kernel.ts';
import { smokeTest } from './smoke.ts';

/** `dir`: the folder it was built from; a binary built from components/ is recorded as a built-in. */
export type PublishInput = Pick<BuiltComponent, 'manifest' | 'wasm' | 'backend' | 'sourceDigest'> & { dir?: string };

export async function publishComponent(kernel: Kernel, built: PublishInput, options: { signingKey?: KeyObject } = {}): Promise<PublishedManifest> {
  const digest = contentDigest(built.wasm);
  const shape = await kernel.loader.inspect(digest, built.wasm);
  if (built.dir !== undefined && isBuiltinSource(built.dir)) await kernel.builtins.add(digest);
  // The monitor shows a slow tool's source to the model that rewrites it (kernel/rewrite.ts).
  if (built.dir !== undefined) await rememberSource(kernel.paths.home, built.sourceDigest, built.dir);
  const draft = draftManifest(built, digest, shape);
  // Validated before anything is linked or run: a bad manifest never reaches the loader.
  validatePublishedManifest(draft, `${draft.kind}/${draft.name}@${draft.version}`);
  // Probed in a worker under its time limit (a built-in excepted): an endless loop in a smoke
  // test ends with a coded error instead of freezing the kernel.
  const probe = await kernel.probeFor(draft, built.wasm);
  let descriptor;
  try {
    descriptor = await smokeTest(probe);
  } finally {
    await probe.close();
    // A binary refused here never runs: what loading it compiled goes with it.
    if (!descriptor) kernel.loader.forget(digest);
  }
  const { digest: _d, size: _s, created: _c, schemaVersion: _v, ...publishable } = draft;
  return kernel.registry.publish(built.wasm, { ...publishable, description: descriptor.description, schema: descriptor.schema }, options);
}

/** The manifest a built binary is published under, before its smoke test describes it. */
export function draftManifest(built: PublishInput, digest: string, shape: ComponentShape): PublishedManifest {
  const { source: _source, ...declared } = built.manifest;
  const world = parseWorld(declared.world);
  return {
    ...declared,
    schemaVersion: 1,
    witPackage: `${world.pkg}@${world.version}`,
    digest,
    size: built.wasm.length,
    backend: built.backend,
    description: '',
    schema: {},
    imports: shape.imports,
    sourceDigest: built.sourceDigest,
    created: new Date().toISOString(),
  };
}
