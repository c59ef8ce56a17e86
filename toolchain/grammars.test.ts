// The code graph's grammars: `npm pack` ships the five it parses with, and an installed package
// (where the 23 MB grammars package is absent) reads those; a clone reads the package's.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Language, Parser } from 'web-tree-sitter';
import { GRAMMAR_FILES, GRAMMAR_PACKAGE, grammarFile, shipGrammars } from './grammars.ts';

const prebuilt = await mkdtemp(path.join(os.tmpdir(), 'titan-grammars-'));
after(() => rm(prebuilt, { recursive: true, force: true }));

test('without shipped grammars a clone reads them from the grammars package', () => {
  assert.match(grammarFile('rust', prebuilt), new RegExp(`${GRAMMAR_PACKAGE}/out/tree-sitter-rust\\.wasm$`));
});

test('packing ships the five grammars, which are then read from the package itself and parse', async () => {
  assert.equal(await shipGrammars(prebuilt), 5);
  assert.deepEqual((await readdir(path.join(prebuilt, 'grammars'))).sort(), [...Object.values(GRAMMAR_FILES), 'LICENSE', 'NOTICE'].sort());
  const file = grammarFile('typescript', prebuilt);
  assert.equal(file, path.join(prebuilt, 'grammars', 'tree-sitter-typescript.wasm'));
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(file));
  const tree = parser.parse('export function f(a: number): number { return a; }');
  assert.equal(tree?.rootNode.firstChild?.type, 'export_statement');
});
