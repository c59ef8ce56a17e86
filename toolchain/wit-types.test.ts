// The guest declarations generated from wit/: one module per interface of every package, in the
// value mapping the QuickJS guests see, and the committed copy under components/wit-types/ current.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { generateWitTypes, WIT_TYPES_DIR } from './wit-types.ts';
import { witPackages } from './wit-packages.ts';

test('every interface under wit/ has its declaration, committed as generated', async () => {
  const generated = await generateWitTypes();
  for (const pkg of (await witPackages()).values()) {
    for (const [, name] of pkg.text.matchAll(/^\s*interface\s+([a-z][a-z0-9-]*)\s*\{/gm)) {
      const file = `${pkg.name.slice('titan:'.length)}-${name}@${pkg.version}.d.ts`;
      const text = generated.get(file);
      assert.ok(text?.includes(`declare module '${pkg.name}/${name}@${pkg.version}'`), `${file} declares its module`);
      assert.equal(await readFile(path.join(WIT_TYPES_DIR, file), 'utf8'), text, `${file} is current: run npm run wit-types`);
    }
  }
});

test('u64 is a number and a missing option is null, as componentize-qjs hands them to a guest', async () => {
  const generated = await generateWitTypes();
  const clock = generated.get('host-clock@0.1.0.d.ts') ?? '';
  assert.match(clock, /export function nowMs\(\): number;/);
  assert.match(generated.get('host-kv@0.1.0.d.ts') ?? '', /export function get\(key: string\): string \| null;/);
  assert.ok(![...generated.values()].some((text) => /\bbigint\b|\| undefined\b/.test(text)));
});
