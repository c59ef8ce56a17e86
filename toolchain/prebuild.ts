// `npm pack` (prepack): builds every built-in under components/ and writes them to prebuilt/, so an
// installed package's first start reads them instead of compiling (toolchain/prebuilt.ts), and copies
// the code graph's grammars beside them (toolchain/grammars.ts). Builds
// from a cache of its own (TITAN_PREBUILD_CACHE), so packing again after a change rebuilds only it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildComponents, findComponentDirs } from './build.ts';
import { shipGrammars } from './grammars.ts';
import { PREBUILT_DIR, writePrebuilt } from './prebuilt.ts';
import { consoleProgress } from './progress.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const cacheDir = process.env.TITAN_PREBUILD_CACHE ?? path.join(ROOT, 'node_modules', '.cache', 'titan-prebuild');

const dirs = await findComponentDirs(path.join(ROOT, 'components'));
const built = await buildComponents(dirs, { cacheDir, progress: consoleProgress() });
await writePrebuilt(built);
const grammars = await shipGrammars();
console.error(`prebuilt: ${built.length} built-ins and ${grammars} code-graph grammars in ${path.relative(ROOT, PREBUILT_DIR)}`);
