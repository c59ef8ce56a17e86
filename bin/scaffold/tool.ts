// `titan new tool NAME`: a tool that returns its text and the text's length.
import type { Template } from './template.ts';

export function toolTemplate(name: string): Template {
  return {
    manifest: {
      name,
      kind: 'tool',
      version: '0.1.0',
      world: 'titan:tool/tool-component@0.1.0',
      source: `${name}.js`,
      capabilities: { log: {} },
      limits: { memoryMb: 32, maxInstances: 4 },
      smoke: [{ input: '{"text":"ping"}', expect: '{"text":"ping","length":4}' }],
    },
    types: ['tool-tool@0.1.0.d.ts', 'host-log@0.1.0.d.ts'],
    source: `// ${name}: a Titan tool. The agent calls invoke() with a JSON object matching the schema below
// and receives the JSON it returns. Capabilities (http, files, kv...) are granted in component.json.
// npm packages may be imported (npm install PKG here): they are bundled when the component is built.
const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', description: 'The text to work on.' } },
};

/** @type {typeof import('titan:tool/tool@0.1.0')} */
export const tool = {
  describe() {
    return { name: '${name}', description: 'Returns the text and its length.', inputSchema: JSON.stringify(schema), needsApproval: false };
  },
  invoke(input) {
    let args;
    try {
      args = JSON.parse(input);
    } catch (e) {
      throw { tag: 'invalid-input', val: 'input is not JSON: ' + e.message };
    }
    if (!args || typeof args.text !== 'string') throw { tag: 'invalid-input', val: 'expected {"text": string}' };
    return JSON.stringify({ text: args.text, length: args.text.length });
  },
};
`,
    test: `// Runs the tool's source under plain Node (node --test): no build, no kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tool } from './${name}.js';

test('${name} answers its input and refuses what does not match its schema', () => {
  assert.deepEqual(JSON.parse(tool.invoke('{"text":"ping"}')), { text: 'ping', length: 4 });
  assert.throws(() => tool.invoke('{"words":1}'), { tag: 'invalid-input' });
  assert.equal(tool.describe().name, '${name}');
});
`,
  };
}
