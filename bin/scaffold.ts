// `titan new tool NAME`'s files: a component folder that builds as it is (manifest, source with a
// smoke case, the WIT declarations it is checked against, a tsconfig for checkJs, and a unit test
// that runs the source under plain Node).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';

const WIT_TYPES = fileURLToPath(new URL('../components/wit-types/', import.meta.url));
const NAME = /^[a-z][a-z0-9-]{0,62}$/;

const manifest = (name: string) => ({
  name,
  kind: 'tool',
  version: '0.1.0',
  world: 'titan:tool/tool-component@0.1.0',
  source: `${name}.js`,
  capabilities: { log: {} },
  limits: { memoryMb: 32, maxInstances: 4 },
  smoke: [{ input: '{"text":"ping"}', expect: '{"text":"ping","length":4}' }],
});

const source = (name: string) => `// ${name}: a Titan tool. The agent calls invoke() with a JSON object matching the schema below
// and receives the JSON it returns. Capabilities (http, files, kv...) are granted in component.json.
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
`;

const unitTest = (name: string) => `// Runs the tool's source under plain Node (node --test): no build, no kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tool } from './${name}.js';

test('${name} answers its input and refuses what does not match its schema', () => {
  assert.deepEqual(JSON.parse(tool.invoke('{"text":"ping"}')), { text: 'ping', length: 4 });
  assert.throws(() => tool.invoke('{"words":1}'), { tag: 'invalid-input' });
  assert.equal(tool.describe().name, '${name}');
});
`;

// The guest source only: it runs in QuickJS, with no Node types (the unit test runs under Node).
const tsconfig = (name: string) => ({
  compilerOptions: {
    target: 'es2024',
    module: 'nodenext',
    lib: ['es2024'],
    types: [],
    allowJs: true,
    checkJs: true,
    strict: true,
    noEmit: true,
    noImplicitAny: false,
    useUnknownInCatchVariables: false,
  },
  include: [`${name}.js`, 'types/*.d.ts'],
});

/** Writes the folder DIR/NAME; refuses a bad name or a folder that exists (nothing is overwritten). */
export async function scaffoldTool(name: string, parent: string): Promise<{ dir: string; files: string[] }> {
  if (!NAME.test(name))
    throw new TitanError('TITAN_E_USAGE', `"${name}" is not a component name`, { fix: 'use 1-63 lowercase letters, digits and -, starting with a letter' });
  const dir = path.resolve(parent, name);
  await mkdir(dir, { recursive: false }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST')
      throw new TitanError('TITAN_E_USAGE', `${dir} exists: nothing was written`, { fix: 'pick another name, or remove the folder yourself' });
    throw new TitanError('TITAN_E_USAGE', `cannot create ${dir}: ${error.code ?? error.message}`, {
      fix: 'create the parent folder, or give another with --in DIR',
    });
  });
  const files: Array<[string, string]> = [
    ['component.json', JSON.stringify(manifest(name), null, 2) + '\n'],
    [`${name}.js`, source(name)],
    [`${name}.test.js`, unitTest(name)],
    ['tsconfig.json', JSON.stringify(tsconfig(name), null, 2) + '\n'],
  ];
  for (const [file, text] of files) await writeFile(path.join(dir, file), text);
  // The declarations of the world it builds against, as generated from wit/ (toolchain/wit-types.ts).
  await mkdir(path.join(dir, 'types'));
  for (const types of ['tool-tool@0.1.0.d.ts', 'host-log@0.1.0.d.ts']) await copyFile(path.join(WIT_TYPES, types), path.join(dir, 'types', types));
  return { dir, files: [...files.map(([f]) => f), 'types/tool-tool@0.1.0.d.ts', 'types/host-log@0.1.0.d.ts'] };
}
