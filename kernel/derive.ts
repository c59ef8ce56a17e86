// Versions the kernel derives from a serving one to propose as patches: the same binary under a
// changed manifest (a memo size, more instances, a longer time limit), or a new binary built from
// model-written source. A derived version sorts above the one it came from and below the author's
// next release ("1.0.0" -> "1.0.1-opt.1", "1.0.1-opt.1" -> "1.0.1-opt.2"), so a real update still wins.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { PublishedManifest, SourceManifest } from '../registry/manifest.ts';
import type { PublishInput, Registry } from '../registry/registry.ts';
import { readGuestSource } from '../toolchain/source.ts';
import { BUILTIN_ROOT } from './builtins.ts';
import { findComponentDirs } from '../toolchain/build.ts';

export const DERIVED_TAG = 'opt';

export const isDerived = (version: string): boolean => semver.prerelease(version)?.[0] === DERIVED_TAG;

/** The first version after `base` no published version of the component holds. */
export async function nextDerivedVersion(registry: Registry, base: PublishedManifest): Promise<string> {
  const taken = new Set((await registry.list({ kind: base.kind, name: base.name, includeYanked: true })).map((m) => m.version));
  const pre = semver.prerelease(base.version);
  let version =
    pre?.[0] === DERIVED_TAG ? (semver.inc(base.version, 'prerelease', DERIVED_TAG) ?? '') : `${semver.inc(base.version, 'patch')}-${DERIVED_TAG}.1`;
  while (taken.has(version)) version = semver.inc(version, 'prerelease', DERIVED_TAG) ?? `${version}.1`;
  return version;
}

/** Publishes the serving binary again under a changed manifest, as the next derived version. */
export async function publishDerived(
  registry: Registry,
  base: PublishedManifest,
  change: Partial<Pick<PublishedManifest, 'limits' | 'memo'>>,
): Promise<PublishedManifest> {
  const wasm = await registry.readBlob(base);
  const { digest: _d, size: _s, created: _c, schemaVersion: _v, signature: _g, yanked: _y, ...fields } = base;
  const input: PublishInput = { ...fields, ...change, version: await nextDerivedVersion(registry, base) };
  return registry.publish(wasm, input);
}

/** The component.json of a rebuilt version: the base's world, capabilities, limits and smoke cases, never more. */
export function derivedSourceManifest(base: PublishedManifest, version: string, source: string): SourceManifest {
  return {
    name: base.name,
    kind: base.kind,
    version,
    world: base.world,
    source,
    backend: base.backend,
    capabilities: base.capabilities,
    ...(base.limits ? { limits: base.limits } : {}),
    ...(base.smoke ? { smoke: base.smoke } : {}),
    ...(base.pure !== undefined ? { pure: base.pure } : {}),
  };
}

// ---- where a version's source is -----------------------------------------------------------

const INDEX = 'sources.json';

/** Notes the folder a published version was built from (its source digest names it). */
export async function rememberSource(home: string, sourceDigest: string, dir: string): Promise<void> {
  const file = path.join(home, INDEX);
  const index = await readIndex(file);
  if (index[sourceDigest] === dir) return;
  index[sourceDigest] = dir;
  await mkdir(home, { recursive: true });
  await writeFile(file, JSON.stringify(index, null, 2), { mode: 0o600 });
}

/** The source text the version was built from, when its folder is known and unchanged (the digest still matches). */
export async function findSource(home: string, manifest: PublishedManifest): Promise<string | undefined> {
  const index = await readIndex(path.join(home, INDEX));
  const candidates = [index[manifest.sourceDigest], ...(await findComponentDirs(BUILTIN_ROOT).catch(() => []))].filter((d): d is string => !!d);
  for (const dir of candidates) {
    const declared = await readFile(path.join(dir, 'component.json'), 'utf8')
      .then((text) => JSON.parse(text) as { source?: string; name?: string })
      .catch(() => undefined);
    if (!declared?.source || declared.name !== manifest.name) continue;
    const source = await readGuestSource(dir, declared.source).catch(() => undefined);
    if (source?.sourceDigest === manifest.sourceDigest) return source.js;
  }
  return undefined;
}

async function readIndex(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}
