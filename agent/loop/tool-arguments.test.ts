// The host's check of tool arguments: what the model reads when a call does not fit the schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTitanError } from '../../common/errors.ts';
import { ArgumentChecker } from './tool-arguments.ts';
import type { ToolInfo } from './tool-catalog.ts';

const tool = (schema: Record<string, unknown>, digest = JSON.stringify(schema)): ToolInfo => ({
  name: 'weather',
  description: '',
  schema,
  needsApproval: false,
  digest,
  sideEffects: false,
});

function refusal(checker: ArgumentChecker, info: ToolInfo, args: unknown): string {
  try {
    checker.check(info, args);
  } catch (error) {
    assert.ok(isTitanError(error, 'TITAN_E_TOOL_ARGUMENTS'));
    return error.message;
  }
  return assert.fail('expected a refusal');
}

test('each mismatch is named where it is, in words the model can act on', () => {
  const checker = new ArgumentChecker();
  const info = tool({
    type: 'object',
    additionalProperties: false,
    required: ['city'],
    properties: { city: { type: 'string' }, unit: { enum: ['C', 'F'] }, days: { type: 'integer', minimum: 1 } },
  });
  checker.check(info, { city: 'Paris', unit: 'C' });
  const message = refusal(checker, info, { unit: 'K', days: 0, town: 'x' });
  assert.match(message, /^the arguments of weather do not match its schema: /);
  assert.match(message, /must have required property 'city'/);
  assert.match(message, /"unit" must be equal to one of the allowed values: \["C","F"\]/);
  assert.match(message, /"days" must be >= 1/);
  assert.match(message, /must NOT have additional properties \("town"\)/);
  assert.match(refusal(checker, info, 'Paris'), /must be object/);
});

test('draft 2020-12 schemas (as MCP servers send them) are checked too; two tools may share a $id', () => {
  const checker = new ArgumentChecker();
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://example.com/schemas/weather',
    type: 'object',
    properties: { items: { type: 'array', prefixItems: [{ type: 'number' }] } },
  };
  assert.match(refusal(checker, tool(schema, 'a'), { items: ['one'] }), /"items.0" must be number/);
  checker.check(tool(schema, 'b'), { items: [1] });
});

test('a schema that does not compile leaves the arguments unchecked, with one warning', () => {
  const warnings: string[] = [];
  const checker = new ArgumentChecker((w) => warnings.push(w));
  const broken = tool({ type: 'object', properties: { a: { type: 'no-such-type' } } });
  checker.check(broken, { a: 1 });
  checker.check(broken, { a: 2 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /input schema of weather does not compile/);
});
