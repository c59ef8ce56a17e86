// `titan new tool|channel|provider NAME`'s folder: a component that builds as it is (manifest,
// source with a smoke case, the WIT declarations it is checked against, a tsconfig for checkJs,
// and a unit test that runs the source under plain Node). Nothing existing is overwritten.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../../common/errors.ts';
import { channelTemplate } from './channel.ts';
import { providerTemplate } from './provider.ts';
import type { Template } from './template.ts';
import { toolTemplate } from './tool.ts';

const WIT_TYPES = fileURLToPath(new URL('../../components/wit-types/', import.meta.url));
const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const SCAFFOLD_KINDS = { tool: toolTemplate, channel: channelTemplate, provider: providerTemplate } as const;
export type ScaffoldKind = keyof typeof SCAFFOLD_KINDS;

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
export async function scaffold(kind: ScaffoldKind, name: string, parent: string): Promise<{ dir: string; files: string[] }> {
  if (!NAME.test(name))
    throw new TitanError('TITAN_E_USAGE', `"${name}" is not a component name`, { fix: 'use 1-63 lowercase letters, digits and -, starting with a letter' });
  const template: Template = SCAFFOLD_KINDS[kind](name);
  const dir = path.resolve(parent, name);
  await mkdir(dir, { recursive: false }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST')
      throw new TitanError('TITAN_E_USAGE', `${dir} exists: nothing was written`, { fix: 'pick another name, or remove the folder yourself' });
    throw new TitanError('TITAN_E_USAGE', `cannot create ${dir}: ${error.code ?? error.message}`, {
      fix: 'create the parent folder, or give another with --in DIR',
    });
  });
  const files: Array<[string, string]> = [
    ['component.json', JSON.stringify(template.manifest, null, 2) + '\n'],
    [`${name}.js`, template.source],
    [`${name}.test.js`, template.test],
    ['tsconfig.json', JSON.stringify(tsconfig(name), null, 2) + '\n'],
  ];
  for (const [file, text] of files) await writeFile(path.join(dir, file), text);
  // The declarations of the world it builds against, as generated from wit/ (toolchain/wit-types.ts).
  await mkdir(path.join(dir, 'types'));
  for (const types of template.types) await copyFile(path.join(WIT_TYPES, types), path.join(dir, 'types', types));
  return { dir, files: [...files.map(([f]) => f), ...template.types.map((t) => `types/${t}`)] };
}
