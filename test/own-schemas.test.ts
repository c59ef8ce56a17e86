// Titan's own JSON Schemas are compiled without the meta-schema check at start (common/own-schemas.ts):
// here every one of them is held to the JSON Schema meta-schema instead, so a mistyped keyword or
// type in a config section, the manifest or a capability grant still fails before it ships; and each
// section's defaults are held to its schema (a load validates only the keys it sets otherwise).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { sectionSchema as mcpSection } from '../agent/mcp/config.ts';
import { SECTIONS } from '../bin/config.ts';
import { HOST_INTERFACES } from '../host-api/index.ts';
import { publishedManifestSchema, sourceManifestSchema } from '../registry/manifest.ts';

const ajv = new Ajv({ allErrors: true });

function assertValidSchema(name: string, schema: unknown): void {
  const valid = ajv.validateSchema(schema as object);
  assert.equal(valid, true, `${name}: ${ajv.errorsText(ajv.errors)}`);
}

test('every config section, manifest and capability grant schema is a valid JSON Schema', () => {
  const checked: string[] = [];
  for (const section of SECTIONS) {
    assertValidSchema(`config section ${section.name}`, { type: 'object', additionalProperties: false, properties: section.schema });
    checked.push(section.name);
  }
  assertValidSchema('mcp section', mcpSection);
  assertValidSchema('source manifest', sourceManifestSchema);
  assertValidSchema('published manifest', publishedManifestSchema);
  for (const host of HOST_INTERFACES.values()) assertValidSchema(`grant of ${host.name}`, host.grantSchema);
  assert.ok(checked.includes('kernel') && checked.includes('gateway'), checked.join(', '));
  assert.ok(HOST_INTERFACES.size > 5);
});

test("every config section's defaults pass its whole schema (a load checks only the keys set to other values)", () => {
  for (const section of SECTIONS) {
    const validate = ajv.compile({ type: 'object', additionalProperties: false, properties: section.schema });
    const defaults = structuredClone(section.defaults);
    assert.equal(validate(defaults), true, `${section.name} defaults: ${ajv.errorsText(validate.errors)}`);
    assert.deepEqual(defaults, section.defaults, `${section.name} defaults need no coercion`);
  }
});

test('a schema with a wrong type name is caught by that check', () => {
  assert.equal(ajv.validateSchema({ type: 'object', properties: { port: { type: 'integr' } } }), false);
});
