// The manifest checks with the validators ajv compiled ahead of time: what a registry accepts and
// what it refuses (with the field named), including the creation date checked beside the schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePublishedManifest, validateSourceManifest } from './manifest.ts';
import { manifestFor } from './test-fixtures.ts';

const published = { ...manifestFor('echo', '1.0.0'), digest: `sha256:${'a'.repeat(64)}`, size: 10, created: new Date(0).toISOString(), schemaVersion: 1 };

test('a whole published manifest is accepted as it is', () => {
  assert.deepEqual(validatePublishedManifest(structuredClone(published)), published);
});

test('a published manifest with a field of the wrong kind, an unknown field or no creation date is refused, naming it', () => {
  const refused = (value: unknown, reason: RegExp) =>
    assert.throws(
      () => validatePublishedManifest(value),
      (e: Error & { code?: string }) => e.code === 'TITAN_E_MANIFEST_INVALID' && reason.test(e.message),
    );
  refused({ ...published, size: 'ten' }, /\/size must be integer/);
  refused({ ...published, extra: true }, /must NOT have additional properties/);
  refused({ ...published, digest: 'md5:1' }, /\/digest must match pattern/);
  refused({ ...published, created: 'last tuesday' }, /\/created must match format "date-time"/);
  refused({ ...published, limits: { memoryMb: 0, timeoutMs: 0 } }, /\/limits\/memoryMb must be >= 1; \/limits\/timeoutMs must be >= 1/);
});

test('a component.json needs its source; the published fields are not part of it', () => {
  const { schemaVersion, digest, size, created, witPackage, description, schema, imports, sourceDigest, ...authored } = published;
  assert.ok(validateSourceManifest({ ...authored, source: 'src/index.js' }));
  assert.throws(() => validateSourceManifest(authored), /must have required property 'source'/);
});
