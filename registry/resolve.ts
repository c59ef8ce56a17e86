// Picking one version out of the published ones. Pure: the caller supplies the manifests of the name.
import semver from 'semver';
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from './manifest.ts';
import { formatRef, type ComponentRef } from './ref.ts';

/** Sorted by kind, name, then semver ascending: the order `list` shows. */
export function compareManifests(a: PublishedManifest, b: PublishedManifest): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return semver.compare(a.version, b.version);
}

/** Narrows to one kind: the ref's own, or the only one the name is published under. */
export function onlyKind(ref: ComponentRef, candidates: PublishedManifest[]): PublishedManifest[] {
  const scoped = ref.kind ? candidates.filter((m) => m.kind === ref.kind) : candidates;
  const kinds = [...new Set(scoped.map((m) => m.kind))].sort();
  if (kinds.length > 1) {
    const options = kinds.map((kind) => `${kind}/${ref.name}`).join(' or ');
    throw new TitanError('TITAN_E_USAGE', `"${ref.name}" is published as more than one kind (${kinds.join(', ')}): write ${options}`);
  }
  return scoped;
}

/**
 * The highest non-yanked version satisfying the range ('*' by default; prereleases only when the
 * range names one, as semver does). An exact version resolves even when yanked, so a pinned
 * deployment keeps working after a yank.
 */
export function selectVersion(ref: ComponentRef, candidates: PublishedManifest[]): PublishedManifest {
  const range = ref.range?.trim() || '*';
  const exact = semver.valid(range);
  if (exact === null && semver.validRange(range) === null) {
    throw new TitanError('TITAN_E_USAGE', `"${range}" is not a semver range or version (like ^1.2.0, ~1.2, 1.x, 1.2.3)`);
  }
  const versions = onlyKind(ref, candidates).sort((a, b) => semver.compare(a.version, b.version));
  if (exact !== null) {
    const pinned = versions.find((m) => semver.eq(m.version, exact));
    if (pinned) return pinned;
  } else {
    const usable = versions.filter((m) => !m.yanked);
    const best = semver.maxSatisfying(
      usable.map((m) => m.version),
      range,
    );
    const chosen = best === null ? undefined : usable.find((m) => m.version === best);
    if (chosen) return chosen;
  }
  throw unresolvable(ref, range, versions);
}

function unresolvable(ref: ComponentRef, range: string, versions: PublishedManifest[]): TitanError {
  const wanted = formatRef({ kind: ref.kind, name: ref.name, range });
  if (versions.length === 0) {
    return new TitanError('TITAN_E_UNRESOLVABLE', `${wanted}: no component named ${formatRef({ kind: ref.kind, name: ref.name })} is published`);
  }
  const available = versions.map((m) => (m.yanked ? `${m.version} (yanked)` : m.version)).join(', ');
  return new TitanError('TITAN_E_UNRESOLVABLE', `${wanted}: no published version satisfies it; available: ${available}`, {
    details: { available: versions.map((m) => ({ version: m.version, yanked: Boolean(m.yanked) })) },
  });
}
