// Source text to facts: web-tree-sitter with the grammars' .wasm files (from @repomix/tree-sitter-wasms,
// which ships only the built grammars, not their C sources), loaded once per process.
// A grammar that fails to load or to parse a file fails that file only; the caller indexes the rest.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { collect, type Rules } from './collect.ts';
import type { FileFacts, Language as LanguageName } from './facts.ts';
import { pythonRules } from './rules-python.ts';
import { rustRules } from './rules-rust.ts';
import { typescriptRules } from './rules-ts.ts';

const require = createRequire(import.meta.url);

const GRAMMAR_PACKAGE = '@repomix/tree-sitter-wasms';

type Grammar = { wasm: string; rules: Rules };
const GRAMMARS: Record<LanguageName, Grammar> = {
  typescript: { wasm: 'tree-sitter-typescript.wasm', rules: typescriptRules },
  tsx: { wasm: 'tree-sitter-tsx.wasm', rules: typescriptRules },
  javascript: { wasm: 'tree-sitter-javascript.wasm', rules: typescriptRules },
  python: { wasm: 'tree-sitter-python.wasm', rules: pythonRules },
  rust: { wasm: 'tree-sitter-rust.wasm', rules: rustRules },
};

const EXTENSIONS: Record<string, LanguageName> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.rs': 'rust',
};

/** The language a path is indexed as, or null when none of the grammars covers it. */
export function languageOf(path: string): LanguageName | null {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[path.slice(dot).toLowerCase()] ?? null);
}

/** A file that takes longer than this to parse is cut off and skipped (pathological input). */
const PARSE_BUDGET_MS = 5000;

let ready: Promise<void> | undefined;
const languages = new Map<LanguageName, Promise<Language>>();
const parsers = new Map<LanguageName, Parser>();

/** The grammar's .wasm path inside the grammars' npm package. */
export function grammarPath(language: LanguageName): string {
  return join(dirname(require.resolve(`${GRAMMAR_PACKAGE}/package.json`)), 'out', GRAMMARS[language].wasm);
}

async function parserFor(language: LanguageName): Promise<Parser> {
  const existing = parsers.get(language);
  if (existing) return existing;
  ready ??= Parser.init();
  await ready;
  let loading = languages.get(language);
  if (!loading) {
    loading = Language.load(grammarPath(language));
    languages.set(language, loading);
    // A failed load is not cached: the next run tries again.
    loading.catch(() => languages.delete(language));
  }
  const parser = new Parser();
  parser.setLanguage(await loading);
  parsers.set(language, parser);
  return parser;
}

/** The facts of one file; throws when its grammar cannot load or the parse is cut off. */
export async function parseFacts(path: string, language: LanguageName, text: string): Promise<FileFacts> {
  const parser = await parserFor(language);
  const deadline = performance.now() + PARSE_BUDGET_MS;
  const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) {
    parser.reset();
    throw new Error(`parsing took longer than ${PARSE_BUDGET_MS} ms`);
  }
  try {
    return collect(path, language, tree, GRAMMARS[language].rules);
  } finally {
    tree.delete();
  }
}
