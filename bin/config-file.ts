// Titan's config.json for the Settings page: read as written and in effect, and written only after
// the whole edit loads as `titan start` would load it (every section's schema, no unknown key), in
// one atomic replace. The running parts keep the configuration they started with: a saved edit
// takes effect at the next start, which the page says.
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import { composeSections } from '../common/config-loader.ts';
import { TitanError } from '../common/errors.ts';
import { homePaths, titanHome } from '../common/home.ts';
import type { ConfigFile } from '../gateway/deps.ts';
import { SECTIONS } from './config.ts';

export function titanConfigFile(env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const file = homePaths(titanHome(env)).config;
  const readFile = async (): Promise<Record<string, unknown>> => {
    try {
      return await readJsonFile<Record<string, unknown>>(file, {});
    } catch (error) {
      throw new TitanError('TITAN_E_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, {
        fix: 'correct it by hand (the Settings page saves only a configuration that loads)',
      });
    }
  };
  return {
    path: file,
    async read() {
      const written = await readFile();
      const { config, warnings } = composeSections(structuredClone(written), file, SECTIONS, { env });
      return { file: written, effective: config as Record<string, unknown>, warnings };
    },
    async write(edited) {
      // Checked on a copy: the loader fills in and coerces values, the file keeps what was typed.
      const { warnings } = composeSections(structuredClone(edited), file, SECTIONS, { env });
      await writeJsonAtomic(file, edited);
      return { warnings };
    },
  };
}
