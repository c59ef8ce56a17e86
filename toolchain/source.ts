// Component source -> the JavaScript a backend embeds. TypeScript is type-stripped by Node's
// own stripper (no bundler); the guest module must be self-contained apart from titan: imports.
import { readFile } from 'node:fs/promises';
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
  const sourceDigest = contentDigest(Buffer.from(text));
  if (!file.endsWith('.ts')) return { js: text, sourceDigest, file };
  try {
    return { js: stripTypeScriptTypes(text, { mode: 'strip' }), sourceDigest, file };
  } catch (error) {
    throw new TitanError('TITAN_E_BUILD_FAILED', `${file}: ${(error as Error).message}`);
  }
}
