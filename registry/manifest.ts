// The two manifests: component.json (what an author writes beside the source) and the
// published manifest (what the registry stores per version). Both validated with ajv.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { OWN_SCHEMAS } from '../common/own-schemas.ts';
import semver from 'semver';
import { TitanError } from '../common/errors.ts';

import { BACKENDS, COMPONENT_KINDS, type Backend, type ComponentKind } from './kinds.ts';
import { channelSectionSchema, providerSectionSchema, type ChannelSection, type ProviderSection } from './slot-sections.ts';

export { BACKENDS, COMPONENT_KINDS, type Backend, type ComponentKind };

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

const NAME = '^[a-z][a-z0-9-]{0,62}$';
const WORLD = '^titan:[a-z][a-z0-9-]*/[a-z][a-z0-9-]*@[0-9]+\\.[0-9]+\\.[0-9]+$';
const DIGEST = '^sha256:[0-9a-f]{64}$';
/** Component names double as directory names in the registry, so every path is checked with this. */
export const COMPONENT_NAME = new RegExp(NAME);

const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    memoryMb: { type: 'integer', minimum: 1, maximum: 4096 },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
    isolation: { enum: ['inline', 'worker'] },
    maxInstances: { type: 'integer', minimum: 1, maximum: 1024 },
    maxResultBytes: { type: 'integer', minimum: 1024, maximum: 256 * 1024 * 1024 },
  },
};
const smokeSchema = {
  type: 'array',
  maxItems: 32,
  items: {
    type: 'object',
    additionalProperties: false,
    anyOf: [{ required: ['input'] }, { required: ['args'] }],
    properties: {
      function: { type: 'string' },
      input: { type: 'string' },
      args: { type: 'array', maxItems: 16, items: { type: 'string' } },
      expect: { type: 'string' },
    },
  },
};
const common = {
  name: { type: 'string', pattern: NAME },
  kind: { enum: [...COMPONENT_KINDS] },
  version: { type: 'string', minLength: 5, maxLength: 64 },
  world: { type: 'string', pattern: WORLD },
  backend: { enum: [...BACKENDS] },
  capabilities: { type: 'object', propertyNames: { pattern: '^[a-z][a-z0-9-]*$' }, additionalProperties: { type: 'object' } },
  limits: limitsSchema,
  smoke: smokeSchema,
  pure: { type: 'boolean' },
  memo: { type: 'object', additionalProperties: false, required: ['entries'], properties: { entries: { type: 'integer', minimum: 1, maximum: 100000 } } },
  channel: channelSectionSchema,
  provider: providerSectionSchema,
};

export const sourceManifestSchema = {
  $id: 'titan:component.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'version', 'world', 'source', 'capabilities'],
  properties: { ...common, source: { type: 'string', minLength: 1 } },
};

export const publishedManifestSchema = {
  $id: 'titan:published-manifest',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion',
    'name',
    'kind',
    'version',
    'world',
    'witPackage',
    'digest',
    'size',
    'backend',
    'capabilities',
    'description',
    'schema',
    'imports',
    'sourceDigest',
    'created',
  ],
  properties: {
    ...common,
    schemaVersion: { const: 1 },
    witPackage: { type: 'string', pattern: '^titan:[a-z][a-z0-9-]*@[0-9]+\\.[0-9]+\\.[0-9]+$' },
    digest: { type: 'string', pattern: DIGEST },
    size: { type: 'integer', minimum: 1 },
    description: { type: 'string', maxLength: 4000 },
    schema: { type: 'object' },
    imports: { type: 'array', items: { type: 'string' } },
    sourceDigest: { type: 'string', pattern: DIGEST },
    created: { type: 'string', format: 'date-time' },
    signature: {
      type: 'object',
      additionalProperties: false,
      required: ['algorithm', 'publicKey', 'value'],
      properties: { algorithm: { const: 'ed25519' }, publicKey: { type: 'string' }, value: { type: 'string' } },
    },
    yanked: {
      type: 'object',
      additionalProperties: false,
      required: ['at', 'reason'],
      properties: { at: { type: 'string' }, reason: { type: 'string' } },
    },
  },
};

const ajv = new Ajv({ allErrors: true, formats: { 'date-time': (s: string) => !Number.isNaN(Date.parse(s)) }, ...OWN_SCHEMAS });
// Compiled on first use (tens of ms each): a start never validates a source manifest.
let validateSourceSchema: ValidateFunction | undefined;
let validatePublishedSchema: ValidateFunction | undefined;

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
  validateSourceSchema ??= ajv.compile(sourceManifestSchema);
  if (!validateSourceSchema(value)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: ${explain(validateSourceSchema.errors)}`);
  }
  const manifest = value as SourceManifest;
  checkVersionAndWorld(manifest, where);
  return manifest;
}

export function validatePublishedManifest(value: unknown, where = 'manifest'): PublishedManifest {
  validatePublishedSchema ??= ajv.compile(publishedManifestSchema);
  if (!validatePublishedSchema(value)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where}: ${explain(validatePublishedSchema.errors)}`);
  }
  const manifest = value as PublishedManifest;
  checkVersionAndWorld(manifest, where);
  return manifest;
}

/** "titan:tool/tool-component@0.1.0" -> { pkg: "titan:tool", world: "tool-component", version: "0.1.0" } */
export function parseWorld(world: string): { pkg: string; world: string; version: string } {
  const match = /^(titan:[a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)@(\d+\.\d+\.\d+)$/.exec(world);
  if (!match) throw new TitanError('TITAN_E_WIT_UNKNOWN', `"${world}" is not a world name like titan:tool/tool-component@0.1.0`);
  return { pkg: match[1], world: match[2], version: match[3] };
}
