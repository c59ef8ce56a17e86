// Component source -> the JavaScript a backend embeds. TypeScript entry files are type-stripped by
// Node's own stripper (no bundler). An entry may import sibling .js modules (QuickJS resolves them
// at build time), so the source digest covers every script in the folder.
import { readdir, readFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { contentDigest } from '../common/digest.ts';

export type GuestSource = { js: string; sourceDigest: string; file: string };

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
  const sourceDigest = await folderDigest(path.dirname(file), path.basename(file), text);
  if (!file.endsWith('.ts')) return { js: text, sourceDigest, file };
  try {
    return { js: stripTypeScriptTypes(text, { mode: 'strip' }), sourceDigest, file };
  } catch (error) {
    throw new TitanError('TITAN_E_BUILD_FAILED', `${file}: ${(error as Error).message}`);
  }
}

/** The entry's text plus every other script beside it (what the build can import), in name order. */
async function folderDigest(dir: string, entry: string, entryText: string): Promise<string> {
  const parts: string[] = [entry, entryText];
  const siblings = (await readdir(dir)).filter((f) => f !== entry && /\.(m?js)$/.test(f) && !f.endsWith('.test.js')).sort();
  for (const sibling of siblings) parts.push(sibling, await readFile(path.join(dir, sibling), 'utf8'));
  return contentDigest(Buffer.from(JSON.stringify(parts)));
}
