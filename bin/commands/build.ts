// `titan build DIR`: build every component folder under DIR (progress on stderr), optionally publish.
import { TitanError } from '../../common/errors.ts';
import { homePaths, titanHome } from '../../common/home.ts';
import { BACKENDS, type Backend } from '../../registry/kinds.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import { type Command, Option } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';

export async function buildCommand({ positionals, values, out }: Args): Promise<number> {
  const [dir] = positionals;
  if (!dir) throw new TitanError('TITAN_E_USAGE', 'titan build needs a folder: titan build DIR');
  const backend = values.backend as Backend | undefined;
  if (backend !== undefined && !BACKENDS.includes(backend)) {
    throw new TitanError('TITAN_E_USAGE', `--backend must be one of ${BACKENDS.join(', ')}`);
  }
  // The toolchain loads only when a build runs.
  const { buildComponents, findComponentDirs } = await import('../../toolchain/build.ts');
  const dirs = await findComponentDirs(dir);
  if (dirs.length === 0) throw new TitanError('TITAN_E_SOURCE_MISSING', `no component.json under ${dir}`);
  const paths = homePaths(titanHome());
  const built = await buildComponents(dirs, { cacheDir: paths.cache, backend, progress: consoleProgress() });
  if (typeof values.out === 'string') {
    // The binaries themselves, for another machine's `titan registry publish FILE.wasm --manifest`.
    const { mkdir, writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    await mkdir(values.out, { recursive: true });
    for (const b of built) await writeFile(path.join(values.out, `${b.manifest.name}-${b.manifest.version}.wasm`), b.wasm);
  }
  const rows = built.map((b) => ({
    component: `${b.manifest.kind}/${b.manifest.name}@${b.manifest.version}`,
    backend: b.backend,
    size: b.wasm.length,
    digest: b.digest,
    cached: b.cached,
    published: undefined as string | undefined,
  }));
  if (values.publish) {
    const { publishFolder } = await import('../publish.ts');
    const published = await publishFolder(dir, { sign: values.sign === true, backend });
    // The same folders in the same order: one manifest per row.
    for (const [i, manifest] of published.entries()) rows[i].published = manifest.created;
  }
  print(out, rows, () => table(rows, ['component', 'backend', 'size', 'cached', 'published', 'digest']));
  return 0;
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('build every component folder under DIR (each with a component.json), from cache when unchanged')
    .argument('<dir>', 'a component folder, or a folder of them')
    .addOption(new Option('--backend <backend>', 'the JavaScript engine compiled in').choices(BACKENDS))
    .option('--publish', 'publish what was built to the registry')
    .option('--out <dir>', 'also write each binary there as NAME-VERSION.wasm')
    .option('--sign', 'sign what is published (with --publish)');
  examples(cmd, [
    'titan build components/',
    'titan build my-tool --backend starlingmonkey',
    'titan build my-tool --publish --sign',
    'titan build my-tool --out dist/',
  ]);
  act(cmd, buildCommand);
}
