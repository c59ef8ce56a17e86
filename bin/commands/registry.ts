// `titan registry ...`: the content-addressed component store, read and written directly (its
// writes are atomic and its contents immutable, so this is safe beside a running kernel); publish
// goes through the kernel's publish route (its checks need a kernel: the running one if any).
import { TitanError } from '../../common/errors.ts';
import { homePaths, titanHome } from '../../common/home.ts';
import type { Kernel } from '../../kernel/api.ts';
import { COMPONENT_KINDS, type ComponentKind } from '../../registry/kinds.ts';
import type { PublishedManifest } from '../../registry/manifest.ts';
import type { ComponentRef } from '../../registry/registry.ts';
import { consoleProgress } from '../../toolchain/progress.ts';
import { type Command, Option } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';

const summary = (m: PublishedManifest) => ({
  component: `${m.kind}/${m.name}`,
  version: m.version,
  world: m.world,
  size: m.size,
  digest: m.digest.slice(0, 19),
  signed: m.signature ? 'yes' : 'no',
  yanked: m.yanked ? m.yanked.reason : '',
  description: m.description,
});

function exact(parseRef: (text: string) => ComponentRef, text: string | undefined) {
  if (!text) throw new TitanError('TITAN_E_USAGE', 'give the component as [kind/]name@version');
  const ref = parseRef(text);
  if (!ref.range) throw new TitanError('TITAN_E_USAGE', `"${text}": give an exact version, e.g. ${text}@1.0.0`);
  return { ...ref, version: ref.range };
}

function progressLine(label: string) {
  const progress = consoleProgress();
  let started = false;
  return (done: number, total: number, item: string) => {
    if (!started) progress.start(total, label);
    started = true;
    if (done > 0) progress.step(item, `${done}/${total}`);
  };
}

/** A kernel for checking binaries (world, link, smoke test in a worker): nothing is restored or served. */
async function withKernel<T>(fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  // The kernel loads only for the verbs that check binaries: listing and showing read the store directly.
  const { openKernel } = await import('../config.ts');
  const { kernel } = await openKernel({ logToFile: true, config: { controlSocket: false } });
  try {
    return await fn(kernel);
  } finally {
    await kernel.close();
  }
}

export async function registryCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, target] = positionals;
  const paths = homePaths(titanHome());
  const { Registry, parseRef } = await import('../../registry/registry.ts');
  const registry = await Registry.open(paths.registry);
  switch (verb) {
    case 'publish': {
      if (!target) throw new TitanError('TITAN_E_USAGE', 'titan registry publish DIR, or FILE.wasm --manifest component.json');
      if (target.endsWith('.wasm') || values.manifest !== undefined) {
        if (typeof values.manifest !== 'string' || !target.endsWith('.wasm'))
          throw new TitanError('TITAN_E_USAGE', 'a built component is published as FILE.wasm --manifest component.json (the manifest that describes it)');
        const { publishWasm } = await import('../publish.ts');
        const published = await publishWasm(target, values.manifest, { sign: values.sign === true });
        print(out, published, () => table(published.map(summary), ['component', 'version', 'digest', 'signed', 'description']));
        return 0;
      }
      const { buildComponents, findComponentDirs } = await import('../../toolchain/build.ts');
      const { publishFolder } = await import('../publish.ts');
      const dirs = await findComponentDirs(target);
      if (dirs.length === 0) throw new TitanError('TITAN_E_SOURCE_MISSING', `no component.json under ${target}`);
      // Built here first, for the progress; the kernel's publish then finds every build in the cache.
      await buildComponents(dirs, { cacheDir: paths.cache, progress: consoleProgress() });
      const published = await publishFolder(target, { sign: values.sign === true });
      print(out, published, () => table(published.map(summary), ['component', 'version', 'digest', 'signed', 'description']));
      return 0;
    }
    case 'list': {
      const kind = values.kind as ComponentKind | undefined;
      if (kind !== undefined && !COMPONENT_KINDS.includes(kind)) throw new TitanError('TITAN_E_USAGE', `--kind must be one of ${COMPONENT_KINDS.join(', ')}`);
      const manifests = await registry.list({ kind, includeYanked: values.all === true });
      print(out, manifests, () => table(manifests.map(summary), ['component', 'version', 'world', 'size', 'signed', 'yanked', 'description']));
      return 0;
    }
    case 'show': {
      const manifest = await registry.show(exact(parseRef, target));
      print(out, manifest, () => JSON.stringify(manifest, null, 2));
      return 0;
    }
    case 'resolve': {
      if (!target) throw new TitanError('TITAN_E_USAGE', 'titan registry resolve [kind/]name[@range]');
      const manifest = await registry.resolve(parseRef(target));
      print(out, manifest, () => `${manifest.kind}/${manifest.name}@${manifest.version}  ${manifest.digest}`);
      return 0;
    }
    case 'verify': {
      const { verifyChecked } = await import('../../kernel/api.ts');
      const report = await withKernel((kernel) => verifyChecked(kernel, { onProgress: out.json ? undefined : progressLine('verifying') }));
      print(out, report, () =>
        report.ok
          ? `ok: ${report.checked} versions verified (digest, size, manifest schema, signatures, imports, exports and world read from each binary)`
          : `${report.problems.length} problem(s) in ${report.checked} versions:\n` + table(report.problems, ['ref', 'code', 'message']),
      );
      return report.ok ? 0 : 1;
    }
    case 'yank': {
      if (typeof values.reason !== 'string') throw new TitanError('TITAN_E_USAGE', 'titan registry yank REF@VERSION --reason TEXT');
      const manifest = await registry.yank(exact(parseRef, target), values.reason);
      print(out, manifest, () => `yanked ${manifest.kind}/${manifest.name}@${manifest.version}: ${manifest.yanked?.reason}`);
      return 0;
    }
    case 'gc': {
      const report = await registry.gc({ dryRun: values.dryRun === true });
      print(
        out,
        report,
        () =>
          `${values.dryRun ? 'would remove' : 'removed'} ${report.removedBlobs.length} unreferenced blob(s) (${report.freedBytes} bytes) and ${report.removedTemp} leftover temp file(s)`,
      );
      return 0;
    }
    case 'export': {
      if (!target) throw new TitanError('TITAN_E_USAGE', 'titan registry export FILE.tar');
      const result = await registry.exportTo(target, {}, { onProgress: out.json ? undefined : progressLine('exporting') });
      print(out, result, () => `exported ${result.components} component version(s), ${result.bytes} bytes, to ${target}`);
      return 0;
    }
    case 'import': {
      if (!target) throw new TitanError('TITAN_E_USAGE', 'titan registry import FILE.tar');
      // Each version is held to its binary, linked and smoke-tested in a worker, as publish does.
      const { importChecked } = await import('../../kernel/api.ts');
      const result = await withKernel((kernel) => importChecked(kernel, target, { onProgress: out.json ? undefined : progressLine('importing') }));
      print(out, result, () => `imported ${result.imported.length} (${result.imported.join(', ') || 'none'}); already present ${result.skipped.length}`);
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', `unknown registry verb "${verb ?? ''}" (publish, list, show, resolve, verify, yank, gc, export, import)`);
  }
}

export function register(program: Command): void {
  const registry = program.command('registry').description('the content-addressed component store: publish, list, verify, yank, move');
  const verb = (name: string, description: string) => registry.command(name).description(description);
  const ref = (cmd: Command, what = '[kind/]name@version') => cmd.argument('<ref>', what);
  examples(
    act(
      verb('publish', 'build a component folder and publish it, or publish a built .wasm with its manifest')
        .argument('<dir>', 'a component folder, a folder of them, or a built FILE.wasm (with --manifest)')
        .option('--manifest <file>', "the component.json describing FILE.wasm: its imports and world are checked against the binary's")
        .option('--sign', 'sign the published versions'),
      registryCommand,
      ['publish'],
    ),
    [
      'titan registry publish my-tool/',
      'titan registry publish components/ --sign --json',
      'titan registry publish out/greet.wasm --manifest greet/component.json',
    ],
  );
  examples(
    act(
      verb('list', 'published components')
        .addOption(new Option('--kind <kind>', 'only components of this kind').choices(COMPONENT_KINDS))
        .option('--all', 'yanked versions too'),
      registryCommand,
      ['list'],
    ),
    ['titan registry list', 'titan registry list --kind tool --json'],
  );
  examples(act(ref(verb('show', 'one manifest')), registryCommand, ['show']), ['titan registry show tool/echo@1.0.0']);
  examples(act(ref(verb('resolve', 'the version a semver range picks'), '[kind/]name[@range]'), registryCommand, ['resolve']), [
    'titan registry resolve echo@^1',
  ]);
  examples(act(verb('verify', 're-hash every blob, check every manifest and signature'), registryCommand, ['verify']), ['titan registry verify']);
  examples(
    act(
      ref(verb('yank', 'withdraw a version (kept for those who pin it)')).requiredOption('--reason <text>', 'why, shown to whoever resolves it'),
      registryCommand,
      ['yank'],
    ),
    ['titan registry yank echo@1.0.1 --reason "breaks on empty input"'],
  );
  examples(
    act(verb('gc', 'remove unreferenced blobs and leftovers of crashed writes').option('--dry-run', 'say what would go, remove nothing'), registryCommand, [
      'gc',
    ]),
    ['titan registry gc --dry-run'],
  );
  examples(act(verb('export', 'write every version to a tar file').argument('<file>', 'FILE.tar'), registryCommand, ['export']), [
    'titan registry export registry.tar',
  ]);
  examples(act(verb('import', 'load a tar export, each version checked as publish checks it').argument('<file>', 'FILE.tar'), registryCommand, ['import']), [
    'titan registry import registry.tar',
  ]);
}
