// Manifests and registry archives under arbitrary input (fast-check): a manifest is accepted or
// refused with a coded error, never with a crash; an archive of random bytes, or a real one with
// bytes flipped, entries dropped or renamed, is imported whole or refused with a coded error and
// leaves the registry byte for byte as it was. `npm run fuzz` (TITAN_FUZZ_RUNS) runs more cases.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { TitanError } from '../common/errors.ts';
import { validatePublishedManifest, validateSourceManifest } from './manifest.ts';
import { fakeComponent, manifestFor, snapshot, tempDir, tempRegistry } from './test-fixtures.ts';

const RUNS = Number(process.env.TITAN_FUZZ_RUNS ?? 40);

function codedOrFine(run: () => unknown, what: string): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TitanError, `${what}: threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    assert.match(error.code, /^TITAN_E_/);
  }
}

test('any JSON value as a manifest: accepted, or refused with a coded error', () => {
  const valid = { ...manifestFor('echo', '1.0.0'), digest: `sha256:${'a'.repeat(64)}`, size: 10, created: new Date(0).toISOString(), schemaVersion: 1 };
  // Real manifests with one field replaced by anything, and plain random values.
  const mutated = fc
    .record({ key: fc.constantFrom(...Object.keys(valid), 'source', 'limits', '__proto__', 'constructor'), value: fc.anything() })
    .map(({ key, value }) => JSON.parse(JSON.stringify({ ...valid, [key]: value }) ?? 'null') as unknown);
  fc.assert(
    fc.property(fc.oneof(fc.anything(), fc.jsonValue(), mutated), (value) => {
      codedOrFine(() => validatePublishedManifest(value), 'published manifest');
      codedOrFine(() => validateSourceManifest(value), 'source manifest');
    }),
    { numRuns: RUNS * 10 },
  );
});

test('an archive of random bytes, or a real one damaged, is imported whole or refused with a code; a refusal changes nothing', {
  timeout: 600_000,
}, async (t) => {
  const source = await tempRegistry(t);
  await source.publish(fakeComponent(400), manifestFor('echo', '1.0.0'));
  await source.publish(fakeComponent(200), manifestFor('cli', '0.3.0', 'channel'));
  const dir = await tempDir(t);
  const good = path.join(dir, 'good.tar');
  await source.exportTo(good, {});
  const original = await readFile(good);

  const damage = fc.oneof(
    fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ kind: 'random', bytes: Buffer.from(bytes) })),
    fc.array(fc.record({ at: fc.nat({ max: original.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }).map((flips) => {
      const bytes = Buffer.from(original);
      for (const { at, byte } of flips) bytes[at] = byte;
      return { kind: `flipped ${flips.map((f) => f.at).join(',')}`, bytes };
    }),
    fc.nat({ max: original.length }).map((cut) => ({ kind: `cut at ${cut}`, bytes: original.subarray(0, cut) })),
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(damage, async ({ kind, bytes }) => {
      const target = await tempRegistry(t);
      const before = await snapshot(target.dir);
      const file = path.join(dir, `case-${++run}.tar`);
      await writeFile(file, bytes);
      try {
        await target.importFrom(file, {});
      } catch (error) {
        assert.ok(error instanceof TitanError, `${kind}: threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
        assert.deepEqual(await snapshot(target.dir), before, `${kind}: a refused archive changed the registry`);
        return;
      }
      // Accepted: then what is in it is exactly what was exported (a flip in padding changes nothing).
      assert.deepEqual(await target.list({ includeYanked: true }), await source.list({ includeYanked: true }), `${kind}: imported something else`);
    }),
    { numRuns: RUNS },
  );
});
