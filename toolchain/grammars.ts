// The tree-sitter grammars the code graph parses with, as built .wasm files. The package that
// carries them (@repomix/tree-sitter-wasms, 23 MB: seventeen languages) is a development install;
// `npm pack` copies the five Titan uses into prebuilt/grammars/, and an installed package reads
// them from there. A clone reads them from the package.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { PREBUILT_DIR } from './prebuilt.ts';

export const GRAMMAR_PACKAGE = '@repomix/tree-sitter-wasms';
export const GRAMMAR_FILES = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  rust: 'tree-sitter-rust.wasm',
} as const;
export type GrammarName = keyof typeof GRAMMAR_FILES;

const require = createRequire(import.meta.url);
const shippedDir = (prebuilt: string) => path.join(prebuilt, 'grammars');

/** The grammars' folder inside their npm package, or undefined when it is not installed. */
function packageDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve(`${GRAMMAR_PACKAGE}/package.json`)), 'out');
  } catch {
    return undefined;
  }
}

/** The grammar's .wasm: the one shipped in the package when there is one, else the grammars package's. */
export function grammarFile(name: GrammarName, prebuilt = PREBUILT_DIR): string {
  const shipped = path.join(shippedDir(prebuilt), GRAMMAR_FILES[name]);
  if (existsSync(shipped)) return shipped;
  const dir = packageDir();
  if (!dir) throw new TitanError('TITAN_E_INTERNAL', `the ${name} grammar is neither shipped in prebuilt/grammars nor installed (${GRAMMAR_PACKAGE})`);
  return path.join(dir, GRAMMAR_FILES[name]);
}

/** At `npm pack`: the five grammars copied from their package into prebuilt/grammars/. */
export async function shipGrammars(prebuilt = PREBUILT_DIR): Promise<number> {
  const dir = packageDir();
  if (!dir) throw new TitanError('TITAN_E_INTERNAL', `packing needs the grammars package (${GRAMMAR_PACKAGE}, a dev dependency): run npm install`);
  await mkdir(shippedDir(prebuilt), { recursive: true });
  const files = Object.values(GRAMMAR_FILES);
  for (const file of files) await copyFile(path.join(dir, file), path.join(shippedDir(prebuilt), file));
  // Where they come from, and under which licences, travels with them.
  const version = (JSON.parse(await readFile(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  await copyFile(path.join(dir, '..', 'LICENSE'), path.join(shippedDir(prebuilt), 'LICENSE'));
  await writeFile(
    path.join(shippedDir(prebuilt), 'NOTICE'),
    `${files.join(', ')}: copied from ${GRAMMAR_PACKAGE}@${version} (its licence in LICENSE), builds of the tree-sitter ` +
      'grammars tree-sitter-typescript, tree-sitter-javascript, tree-sitter-python and tree-sitter-rust (MIT licence, ' +
      'copyright their authors: https://github.com/tree-sitter).\n',
  );
  return files.length;
}
