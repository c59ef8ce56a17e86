// Shared by the registry tests: temp registries, fake component bytes, manifests, directory snapshots.
// The registry reads no further than the component header, so a valid header plus noise is enough.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { sha256 } from '../common/digest.ts';
import { isTitanError, type ErrorCode } from '../common/errors.ts';
import type { ComponentKind } from './manifest.ts';
import { Registry, type OpenOptions, type PublishInput } from './registry.ts';

export const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

export function fakeComponent(bodyBytes = 64): Uint8Array {
  return Uint8Array.from([...COMPONENT_HEADER, ...randomBytes(bodyBytes)]);
}

export function manifestFor(name: string, version: string, kind: ComponentKind = 'tool', extra: Partial<PublishInput> = {}): PublishInput {
  return {
    name,
    kind,
    version,
    world: `titan:${kind}/${kind}-component@0.1.0`,
    witPackage: `titan:${kind}@0.1.0`,
    backend: 'quickjs',
    capabilities: {},
    description: `${name} for tests`,
    schema: { type: 'object' },
    imports: [],
    sourceDigest: `sha256:${'0'.repeat(64)}`,
    ...extra,
  };
}

export async function tempDir(t: TestContext, prefix = 'titan-registry-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function tempRegistry(t: TestContext, options: OpenOptions = {}): Promise<Registry> {
  return Registry.open(path.join(await tempDir(t), 'registry'), options);
}

/** Asserts a TitanError with this code; returns it for checks on the message. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(isTitanError(caught, code), `expected ${code}, got ${String((caught as { code?: string }).code)}: ${String((caught as Error).message)}`);
  return caught as Error;
}

/** Every file under dir (relative path -> sha256): equal snapshots mean nothing changed, temp files included. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, file)] = sha256(await readFile(file));
  }
  return result;
}
