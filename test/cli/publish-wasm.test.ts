// `titan registry publish FILE.wasm --manifest component.json`: a binary built elsewhere (here a
// Titan build copied out with `titan build --out`) is published after the kernel held it to the
// manifest: a manifest that claims another world, or grants less than the binary imports, is
// refused with a code and the registry stays as it was.
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, runTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

const WEBHOOK = path.join(PROJECT_ROOT, 'examples/channels/webhook');
const KV = path.join(PROJECT_ROOT, 'components/tools/kv');

test('a copied-out binary publishes with its manifest; a manifest that does not match the binary is refused', async (t) => {
  const { home, cleanup } = await tempHome('titan-publish-wasm-');
  t.after(cleanup);
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  const out = path.join(home, 'out');
  for (const dir of [WEBHOOK, KV]) {
    const built = await runTitan(['build', dir, '--out', out], home);
    assert.equal(built.code, 0, built.stderr);
  }

  const published = await runTitan(
    ['registry', 'publish', path.join(out, 'webhook-1.0.0.wasm'), '--manifest', path.join(WEBHOOK, 'component.json'), '--json'],
    home,
  );
  assert.equal(published.code, 0, published.stderr);
  const [manifest] = JSON.parse(published.stdout) as Array<{ kind: string; name: string; imports: string[]; channel: { title: string } }>;
  assert.deepEqual([manifest.kind, manifest.name, manifest.channel.title], ['channel', 'webhook', 'Webhook']);
  assert.deepEqual(manifest.imports, ['titan:host/log@0.2.0'], 'the imports as read from the binary');

  const bad = path.join(home, 'bad');
  await mkdir(bad);
  // The channel binary under a tool's manifest: its exports are not a tool's.
  const asTool = { name: 'hook-tool', kind: 'tool', version: '1.0.0', world: 'titan:tool/tool-component@0.1.0', capabilities: { log: {} } };
  await writeFile(path.join(bad, 'as-tool.json'), JSON.stringify(asTool));
  const wrongWorld = await runTitan(['registry', 'publish', path.join(out, 'webhook-1.0.0.wasm'), '--manifest', path.join(bad, 'as-tool.json')], home);
  assert.equal(wrongWorld.code, 1);
  assert.match(wrongWorld.stderr, /TITAN_E_MANIFEST_MISMATCH: .*the binary exports \[titan:channel\/channel@0\.2\.0\]/);

  // The kv tool's binary with a manifest that grants it only the log: its kv import is refused.
  const kv = JSON.parse(await readFile(path.join(KV, 'component.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(bad, 'kv.json'), JSON.stringify({ ...kv, name: 'kv-copy', capabilities: { log: {} } }));
  const ungranted = await runTitan(['registry', 'publish', path.join(out, `kv-${kv.version}.wasm`), '--manifest', path.join(bad, 'kv.json')], home);
  assert.equal(ungranted.code, 1);
  assert.match(ungranted.stderr, /^TITAN_E_\w+: .*kv/m);

  const listed = JSON.parse((await runTitan(['registry', 'list', '--json'], home)).stdout) as Array<{ name: string }>;
  assert.deepEqual(
    listed.map((m) => m.name),
    ['webhook'],
    'only the binary that matched its manifest was published',
  );
  const usage = await runTitan(['registry', 'publish', path.join(out, 'webhook-1.0.0.wasm')], home);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /TITAN_E_USAGE: a built component is published as FILE\.wasm --manifest component\.json/);
});
