// A mesh node in its own process that answers reflex builds badly, for test/mesh/reflex-build.test.ts:
// "garbage" answers bytes that are no component; "overreach" builds the reflex with a tools import
// its manifest does not grant (and says it built from the manifest it was sent).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kernel } from '../../kernel/kernel.ts';
import { buildInChild } from '../../agent/reflex/compiler.ts';
import { Mesh, type MeshSettings } from '../../mesh/mesh.ts';
import { TEST_CACHE } from '../support/kernel.ts';

const spec = JSON.parse(process.env.TITAN_REFLEX_BUILD_PEER ?? '{}') as { home: string; mode: 'garbage' | 'overreach'; settings: Partial<MeshSettings> };
const kernel = await Kernel.open({ home: spec.home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
const mesh = await Mesh.start(kernel, { heartbeatMs: 1000, ...spec.settings });
mesh.reflexBuilds.buildFolder = async (dir, cacheDir) => {
  const file = path.join(dir, 'component.json');
  const sent = JSON.parse(await readFile(file, 'utf8'));
  if (spec.mode === 'garbage') return { wasm: new TextEncoder().encode('\0asm this is not a component'), manifest: sent };
  await writeFile(file, JSON.stringify({ ...sent, capabilities: { ...sent.capabilities, tools: { allow: ['weather'] } } }));
  const source = await readFile(path.join(dir, 'reflex.js'), 'utf8');
  await writeFile(path.join(dir, 'reflex.js'), source.replace(/^const invoke = .*$/m, "import { invoke } from 'titan:host/tools@0.2.0';"));
  const built = await buildInChild(dir, cacheDir);
  return { wasm: built.wasm, manifest: sent };
};

process.on('message', () => process.send!({ status: mesh.status() }));
process.on(
  'disconnect',
  () =>
    void mesh
      .stop()
      .then(() => kernel.close())
      .then(() => process.exit(0)),
);
process.send!({ ready: true, id: mesh.id });
