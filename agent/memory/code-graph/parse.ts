// Source text to facts: web-tree-sitter with the grammars' built .wasm files (shipped in prebuilt/ or
// from their package: toolchain/grammars.ts), loaded once per process.
// A grammar that fails to load or to parse a file fails that file only; the caller indexes the rest.
import { Language, Parser } from 'web-tree-sitter';
import { grammarFile } from '../../../toolchain/grammars.ts';
import { collect, type Rules } from './collect.ts';
import type { FileFacts, Language as LanguageName } from './facts.ts';
import { pythonRules } from './rules-python.ts';
import { rustRules } from './rules-rust.ts';
import { typescriptRules } from './rules-ts.ts';

const RULES: Record<LanguageName, Rules> = {
  typescript: typescriptRules,
  tsx: typescriptRules,
  javascript: typescriptRules,
  python: pythonRules,
  rust: rustRules,
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

async function parserFor(language: LanguageName): Promise<Parser> {
  const existing = parsers.get(language);
  if (existing) return existing;
  ready ??= Parser.init();
  await ready;
  let loading = languages.get(language);
  if (!loading) {
    loading = Language.load(grammarFile(language));
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
    return collect(path, language, tree, RULES[language]);
  } finally {
    tree.delete();
  }
}
