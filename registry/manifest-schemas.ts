// The JSON Schemas of the two manifests (types and checks in registry/manifest.ts). Validated by
// functions ajv compiled ahead of time (registry/manifest-validators.js, written from these by
// toolchain/manifest-validators.ts): change a schema here, then run npm run manifest-validators.
import { BACKENDS, COMPONENT_KINDS } from './kinds.ts';
import { channelSectionSchema, providerSectionSchema } from './slot-sections.ts';

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
    // A date Date.parse reads; checked beside the schema (validatePublishedManifest), which keeps its code free of format functions.
    created: { type: 'string', minLength: 1 },
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
