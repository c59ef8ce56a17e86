// The reflex runtime (components/reflexes/runtime.js and every file it imports) inlined as one
// script for a generated reflex: imports between the files and their export lists dropped, so two
// files declaring the same top-level name would collide in that one scope; that is refused here,
// naming both files and the name, rather than left to a build error that names neither.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../../common/errors.ts';

const RUNTIME_DIR = new URL('../../components/reflexes/', import.meta.url);
const IMPORT = /^import \{[^}]*\} from '\.\/([\w-]+\.js)';$/gm;
// The formatter keeps every top-level declaration at the start of a line and every nested one indented.
const TOP_LEVEL = /^(?:export )?(?:async )?(?:function\*?|const|let|var|class) +([\w$]+)/gm;

export type RuntimeFile = { file: string; text: string };

/**
 * The runtime and every file it imports, each after the files it imports.
 * Read from the import lines themselves, so a file the runtime comes to import is never left out.
 */
async function runtimeFiles(file = 'runtime.js', order: RuntimeFile[] = [], seen = new Set<string>()): Promise<RuntimeFile[]> {
  if (seen.has(file)) return order;
  seen.add(file);
  const text = await readFile(fileURLToPath(new URL(file, RUNTIME_DIR)), 'utf8');
  for (const [, imported] of text.matchAll(IMPORT)) await runtimeFiles(imported, order, seen);
  order.push({ file, text });
  return order;
}

/** The names a file declares at its top level. */
export function topLevelNames(text: string): string[] {
  return [...text.matchAll(TOP_LEVEL)].map((m) => m[1]);
}

/** The files as one module body: their imports of each other and their export lists dropped; a name declared twice is refused. */
export function inlineFiles(files: RuntimeFile[]): string {
  const declaredIn = new Map<string, string>();
  for (const { file, text } of files) {
    for (const name of topLevelNames(text)) {
      const first = declaredIn.get(name);
      if (first)
        throw new TitanError(
          'TITAN_E_BUILD_FAILED',
          `the reflex runtime declares "${name}" at the top level of both components/reflexes/${first} and components/reflexes/${file}: inlined into one script they collide`,
          { fix: `rename one of them, or export "${name}" from one file and import it in the other` },
        );
      declaredIn.set(name, file);
    }
  }
  return files
    .map((f) => f.text)
    .join('\n')
    .replace(/^import \{[^}]*\} from '\.\/[\w-]+\.js';$/gm, '')
    .replace(/^export \{[^}]*\};$/gm, '')
    .replace(/^export (const|function) /gm, '$1 ');
}

let inlined: Promise<string> | undefined;

/** The runtime inlined once per process (its files do not change while it runs). */
export function inlinedRuntime(): Promise<string> {
  inlined ??= runtimeFiles().then(inlineFiles);
  return inlined;
}
