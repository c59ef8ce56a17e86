// Component source -> the JavaScript a backend embeds. TypeScript entry files are type-stripped by
// Node's own stripper; a source that imports npm packages is bundled instead (toolchain/bundle.ts). An entry may import other .js modules by relative path (QuickJS
// resolves them at build time), including shared ones outside its folder such as
// components/providers/lib/: the source digest covers every module the entry reaches, and
// `moduleRoot` is the folder that holds them all.
import { readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { contentDigest } from '../common/digest.ts';
import { bundleSource, npmImports } from './bundle.ts';

export type GuestSource = { js: string; sourceDigest: string; file: string; moduleRoot: string };

export async function readGuestSource(dir: string, relative: string): Promise<GuestSource> {
  const file = path.resolve(dir, relative);
  if (!file.startsWith(path.resolve(dir) + path.sep)) {
    throw new TitanError('TITAN_E_MANIFEST_INVALID', `source "${relative}" points outside the component folder ${dir}`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new TitanError('TITAN_E_SOURCE_MISSING', `component source ${file} cannot be read`);
  }
  const modules = await importClosure(file, text);
  if ([...modules.values()].some((body) => npmImports(body).length > 0)) {
    // One module holding its packages: the digest covers exactly what was bundled.
    const bundled = await bundleSource(file);
    return { js: bundled.js, sourceDigest: contentDigest(Buffer.from(bundled.js)), file, moduleRoot: path.dirname(file) };
  }
  const moduleRoot = commonFolder([...modules.keys()]);
  const parts = [...modules].sort(([a], [b]) => a.localeCompare(b)).flatMap(([name, body]) => [path.relative(moduleRoot, name), body]);
  const sourceDigest = contentDigest(Buffer.from(JSON.stringify(parts)));
  if (!file.endsWith('.ts')) return { js: text, sourceDigest, file, moduleRoot };
  try {
    return { js: stripTypeScriptTypes(text, { mode: 'strip' }), sourceDigest, file, moduleRoot };
  } catch (error) {
    throw new TitanError('TITAN_E_BUILD_FAILED', `${file}: ${(error as Error).message}`);
  }
}

const RELATIVE_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The entry and every module it reaches through relative imports, by absolute path. */
async function importClosure(entry: string, entryText: string): Promise<Map<string, string>> {
  const found = new Map<string, string>([[entry, entryText]]);
  const queue = [entry];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const match of found.get(from)!.matchAll(RELATIVE_IMPORT)) {
      const target = path.resolve(path.dirname(from), match[1]);
      if (found.has(target)) continue;
      let body: string;
      try {
        body = await readFile(target, 'utf8');
      } catch {
        throw new TitanError('TITAN_E_SOURCE_MISSING', `${from} imports ${match[1]}, which cannot be read`);
      }
      found.set(target, body);
      queue.push(target);
    }
  }
  return found;
}

function commonFolder(files: string[]): string {
  let common = path.dirname(files[0]);
  for (const file of files) {
    while (!(file + path.sep).startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  }
  return common;
}
