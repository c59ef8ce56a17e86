// npm packages in a component's source: an entry (or a module it reaches) that imports a bare
// specifier ("ms", "@scope/pkg") is bundled into one ES module with esbuild at build time, from
// the node_modules beside the component (an author runs `npm install PKG` in its folder). Titan's
// own interfaces (titan:...) stay imports: the component model links them. esbuild is an optional
// install (22 MB that only component authors need): Titan's own, else the component folder's.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TitanError } from '../common/errors.ts';

type Esbuild = typeof import('esbuild');

async function loadEsbuild(entry: string): Promise<Esbuild> {
  try {
    return await import('esbuild');
  } catch {
    // Not beside Titan: the one the author installed with the component.
  }
  try {
    return (await import(pathToFileURL(createRequire(entry).resolve('esbuild')).href)) as Esbuild;
  } catch {
    throw new TitanError('TITAN_E_BUNDLER_MISSING', `${entry} imports npm packages, and bundling them needs esbuild, which is not installed`);
  }
}

const IMPORT_FROM = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** The npm packages a module's text imports (not relative paths, not titan: interfaces, not node: builtins). */
export function npmImports(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(IMPORT_FROM)) {
    const spec = match[1] ?? match[2];
    if (spec.startsWith('.') || spec.startsWith('/') || /^[a-z][a-z0-9+.-]*:/.test(spec)) continue;
    found.add(spec);
  }
  return [...found];
}

/** The entry and everything it imports as one ES module; the files that went into it, for the source digest. */
export async function bundleSource(entry: string): Promise<{ js: string; inputs: string[] }> {
  const esbuild = await loadEsbuild(entry);
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: path.dirname(entry),
      bundle: true,
      write: false,
      format: 'esm',
      // The guests are plain ECMAScript engines: no Node builtins, no DOM.
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      target: 'es2022',
      external: ['titan:*'],
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
    });
    return { js: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).sort() };
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    const text = first ? `${where}${first.text}` : (error as Error).message;
    throw new TitanError('TITAN_E_BUILD_FAILED', `${entry}: bundling its npm imports failed: ${text}`, {
      fix: /Could not resolve/.test(text) ? `install the package in the component's folder (npm install PACKAGE there)` : undefined,
    });
  }
}
