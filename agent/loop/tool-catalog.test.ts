// The tool catalog's descriptions: one describe per tool version however many turns list tools at
// once, a failed describe asked again, and the cache no larger than the versions serving.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EventBus } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { ToolCatalog } from './tool-catalog.ts';

/** A kernel serving the given tools (name -> digest) that counts describe calls, each taking a moment. */
function kernelWith(serving: Map<string, string>, options: { failFirst?: boolean } = {}) {
  const describes: string[] = [];
  let failing = options.failFirst === true;
  const kernel = {
    bus: new EventBus(),
    // Each kernel its own cache folder: descriptions kept on disk by an earlier test are not found.
    paths: { cache: mkdtempSync(path.join(os.tmpdir(), 'titan-tool-catalog-')) },
    servingOfKind: () => [...serving].map(([name, digest]) => ({ kind: 'tool', name, digest })),
    serving: () => ({ capabilities: {} }),
    call: async (_kind: string, name: string) => {
      describes.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing) {
        failing = false;
        throw new Error('the instance trapped');
      }
      return { name, description: `the ${name} tool`, inputSchema: '{"type":"object"}', needsApproval: false };
    },
  } as unknown as Kernel;
  return { kernel, describes };
}

test('a thousand turns listing tools at once make one describe per tool version', async () => {
  const { kernel, describes } = kernelWith(
    new Map([
      ['echo', 'sha256:e1'],
      ['clock', 'sha256:c1'],
    ]),
  );
  const catalog = new ToolCatalog(kernel);
  const lists = await Promise.all(Array.from({ length: 1000 }, () => catalog.list()));
  assert.deepEqual(describes.sort(), ['clock', 'echo']);
  assert.ok(lists.every((tools) => tools.map((t) => t.name).join() === 'echo,clock'));
});

test('a describe that failed is asked again by the next list', async () => {
  const { kernel, describes } = kernelWith(new Map([['echo', 'sha256:e1']]), { failFirst: true });
  const catalog = new ToolCatalog(kernel);
  await assert.rejects(catalog.list(), /trapped/);
  assert.equal((await catalog.list())[0]?.description, 'the echo tool');
  assert.equal(describes.length, 2);
});

test('after many versions of a tool, only the serving one stays described', async () => {
  const serving = new Map([['echo', 'sha256:v0']]);
  const { kernel } = kernelWith(serving);
  const catalog = new ToolCatalog(kernel);
  for (let version = 1; version <= 50; version++) {
    serving.set('echo', `sha256:v${version}`);
    await catalog.list();
  }
  assert.equal(catalog.cachedDescriptions, 1);
});
