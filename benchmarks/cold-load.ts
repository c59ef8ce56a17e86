// One cold load of tool/echo in a fresh process (spawned by instances.ts): a new Kernel over an
// existing home, then readBlob -> inspect -> load (link, transpile or read the transpile cache,
// evaluate glue, compile) -> first instance -> first call. Prints one JSON line of stage times (ms).
// Run alone: node benchmarks/cold-load.ts HOME CACHE_DIR
import { Kernel } from '../kernel/api.ts';
import { instantiate } from '../kernel/instance.ts';

const [home, cacheDir] = process.argv.slice(2);
if (!home || !cacheDir) throw new Error('usage: cold-load.ts HOME CACHE_DIR');

const marks: Array<[string, number]> = [];
let last = performance.now();
const mark = (stage: string) => {
  const now = performance.now();
  marks.push([stage, now - last]);
  last = now;
};

const kernel = await Kernel.open({ home, cacheDir, logToFile: false, env: {} });
const manifest = await kernel.registry.resolve({ kind: 'tool', name: 'echo' });
mark('open kernel + resolve');
const wasm = await kernel.registry.readBlob(manifest);
mark('registry.readBlob');
await kernel.loader.inspect(manifest.digest, wasm);
mark('inspect (jco componentWit)');
const loaded = await kernel.loader.load(manifest, wasm);
mark('loader.load (transpile/cache, glue, compile)');
const instance = await instantiate(loaded, kernel.services);
mark('first instance');
const answer = await instance.exports.invoke('{"text":"cold"}');
mark('first call');
if (answer !== '{"text":"cold"}') throw new Error(`unexpected answer ${String(answer)}`);
await kernel.close();
console.log(JSON.stringify(Object.fromEntries(marks)));
