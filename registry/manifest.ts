// The two manifests: component.json (what an author writes beside the source) and the
// published manifest (what the registry stores per version). Both validated by ajv, with functions
// it compiled ahead of time from registry/manifest-schemas.ts (registry/manifest-validators.js).
import type { ErrorObject } from 'ajv';
import semver from 'semver';
import { TitanError } from '../common/errors.ts';

import { BACKENDS, COMPONENT_KINDS, type Backend, type ComponentKind } from './kinds.ts';
import { validatePublished, validateSource } from './manifest-validators.js';
import type { ChannelSection, ProviderSection } from './slot-sections.ts';

export { BACKENDS, COMPONENT_KINDS, type Backend, type ComponentKind };
export { COMPONENT_NAME, publishedManifestSchema, sourceManifestSchema } from './manifest-schemas.ts';

export type Limits = {
  /** Cap on each instance's linear memory, in MiB (rewritten into the core modules). */
  memoryMb?: number;
  /** Wall-clock limit of one call; enforced when isolation is "worker". */
  timeoutMs?: number;
  /** "worker" runs in a worker pool where a call can be stopped (the default for anything not shipped
   * with Titan); "inline" runs in the kernel's thread, honoured only for built-ins or by an inline grant. */
  isolation?: 'inline' | 'worker';
  maxInstances?: number;
  /** Largest string (in UTF-8 bytes) the component may hand out in one crossing: a result, a log line;
   * the kernel's maxResultBytes is the ceiling. */
  maxResultBytes?: number;
};
/** A call a new version must answer before it may serve: `input` for a tool's invoke, or `args`. */
export type SmokeCase = { function?: string; input?: string; args?: string[]; expect?: string };

export type SourceManifest = {
  name: string;
  kind: ComponentKind;
  version: string;
  world: string;
  source: string;
  backend?: Backend;
  capabilities: Record<string, Record<string, unknown>>;
  limits?: Limits;
  smoke?: SmokeCase[];
  /** The author's word that invoke's answer depends only on its input (no host state, no clock): it may be memoised. */
  pure?: boolean;
  /** Answers of invoke kept by input (a pure component only), in memory per version: set by a memoising patch. */
  memo?: { entries: number };
  /** A channel's platform (the host runs a channel by this, never by its name). */
  channel?: ChannelSection;
  /** A provider's defaults: base URL, model, how the key is sent. */
  provider?: ProviderSection;
};

export type Signature = { algorithm: 'ed25519'; publicKey: string; value: string };

export type PublishedManifest = Omit<SourceManifest, 'source'> & {
  schemaVersion: 1;
  /** The WIT package of the world, e.g. "titan:tool@0.1.0". */
  witPackage: string;
  digest: string;
  size: number;
  backend: Backend;
  description: string;
  /** JSON Schema of the component's input, read from its own exports at publish time. */
  schema: Record<string, unknown>;
  /** The versioned interfaces the binary imports, read from the binary. */
  imports: string[];
  sourceDigest: string;
  created: string;
  signature?: Signature;
  yanked?: { at: string; reason: string };
};

function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

function checkVersionAndWorld(m: { kind: string; version: string; world: string; channel?: unknown; provider?: unknown }, where: string): void {
  if (!semver.valid(m.version)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: version "${m.version}" is not a semver version (like 1.2.3)`);
  }
  const worldKind = m.world.slice('titan:'.length, m.world.indexOf('/'));
  if (worldKind !== m.kind) {
    throw new TitanError('TITAN_E_WORLD_MISMATCH', `${where}: a ${m.kind} must use a titan:${m.kind} world, not ${m.world}`);
  }
  // A platform section describes the component's own slot: a tool cannot claim to be a channel.
  for (const section of ['channel', 'provider'] as const) {
    if (m[section] !== undefined && m.kind !== section)
      throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: only a ${section} has a "${section}" section; this is a ${m.kind}`);
  }
}

export function validateSourceManifest(value: unknown, where = 'component.json'): SourceManifest {
  if (!validateSource(value)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: ${explain(validateSource.errors)}`);
  }
  const manifest = value as SourceManifest;
  checkVersionAndWorld(manifest, where);
  return manifest;
}

export function validatePublishedManifest(value: unknown, where = 'manifest'): PublishedManifest {
  if (!validatePublished(value)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: ${explain(validatePublished.errors)}`);
  }
  const manifest = value as PublishedManifest;
  if (Number.isNaN(Date.parse(manifest.created))) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: /created must match format "date-time"`);
  }
  checkVersionAndWorld(manifest, where);
  return manifest;
}

/** "titan:tool/tool-component@0.1.0" -> { pkg: "titan:tool", world: "tool-component", version: "0.1.0" } */
export function parseWorld(world: string): { pkg: string; world: string; version: string } {
  const match = /^(titan:[a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)@(\d+\.\d+\.\d+)$/.exec(world);
  if (!match) throw new TitanError('TITAN_E_WIT_UNKNOWN', `"${world}" is not a world name like titan:tool/tool-component@0.1.0`);
  return { pkg: match[1], world: match[2], version: match[3] };
}
