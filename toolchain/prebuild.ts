// `npm pack` (prepack): builds every built-in under components/ and writes them to prebuilt/, so an
// installed package's first start reads them instead of compiling (toolchain/prebuilt.ts), and copies
// the code graph's grammars beside them (toolchain/grammars.ts) and the libraries an installed Titan
// carries as files instead of packages (toolchain/vendor.ts). Builds
// from a cache of its own (TITAN_PREBUILD_CACHE), so packing again after a change rebuilds only it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildComponents, findComponentDirs } from './build.ts';
import { shipGrammars } from './grammars.ts';
import { PREBUILT_DIR, writePrebuilt } from './prebuilt.ts';
import { consoleProgress } from './progress.ts';
import { shipVendored } from './vendor.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const cacheDir = process.env.TITAN_PREBUILD_CACHE ?? path.join(ROOT, 'node_modules', '.cache', 'titan-prebuild');

const dirs = await findComponentDirs(path.join(ROOT, 'components'));
const built = await buildComponents(dirs, { cacheDir, progress: consoleProgress() });
await writePrebuilt(built);
const grammars = await shipGrammars();
const vendored = await shipVendored();
console.error(
  `prebuilt: ${built.length} built-ins, ${grammars} code-graph grammars, and ${vendored.files} library files and the MCP SDK's parts (from ${vendored.packages} packages) in ${path.relative(ROOT, PREBUILT_DIR)}`,
);
