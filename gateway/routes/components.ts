// What the kernel runs and what it could run: serving components, the registry's manifests, and
// the owner's direct levers on them (call a component's function, roll a slot back, publish a folder).
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { publishBinary, publishComponent } from '../../kernel/api.ts';
import { BACKENDS, COMPONENT_KINDS, type Backend, type ComponentKind, type PublishedManifest } from '../../registry/manifest.ts';
import { requireAdmin, requireLocal } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, params } from '../validate.ts';

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;
const KIND = { enum: [...COMPONENT_KINDS] } as const;
const LIST = {
  type: 'object',
  additionalProperties: false,
  properties: { kind: KIND, name: NAME, all: { type: 'boolean', default: false } },
} as const;
const EXACT = {
  type: 'object',
  required: ['kind', 'name', 'version'],
  properties: { kind: KIND, name: NAME, version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+[0-9A-Za-z.+-]*$', maxLength: 64 } },
} as const;
const SLOT = { type: 'object', required: ['kind', 'name'], properties: { kind: KIND, name: NAME } } as const;
const CALL = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name'],
  properties: { kind: KIND, name: NAME, fn: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9-]{0,62}$' }, args: { type: 'array', maxItems: 256 } },
} as const;
const FILE = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const PUBLISH = {
  type: 'object',
  additionalProperties: false,
  // A folder to build, or a built binary with the manifest that describes it (checked below).
  properties: { dir: FILE, wasm: FILE, manifest: FILE, sign: { type: 'boolean' }, backend: { enum: [...BACKENDS] } },
} as const;

export function componentRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/components', (ctx) => {
    ctx.body = { components: kernel.components() };
  });

  router.get('/registry', async (ctx) => {
    const query = params<{ kind?: ComponentKind; name?: string; all: boolean }>(ctx.query, LIST);
    ctx.body = { manifests: await kernel.registry.list({ kind: query.kind, name: query.name, includeYanked: query.all }) };
  });

  router.get('/registry/:kind/:name/:version', async (ctx) => {
    const ref = params<{ kind: ComponentKind; name: string; version: string }>(ctx.params, EXACT, 'the path');
    ctx.body = await kernel.registry.show(ref);
  });

  // Builds (from the build cache when nothing changed) and publishes every component folder under
  // `dir`, through this kernel's publish checks: a folder on this machine, so the control socket only.
  router.post('/registry/publish', async (ctx) => {
    requireLocal(ctx);
    const input = body<{ dir?: string; wasm?: string; manifest?: string; sign?: boolean; backend?: Backend }>(ctx.request.body, PUBLISH);
    const [{ buildComponents, findComponentDirs }, { loadOrCreateSigningKey }] = await Promise.all([
      import('../../toolchain/build.ts'),
      import('../../registry/signing.ts'),
    ]);
    if ((input.wasm === undefined) !== (input.manifest === undefined) || (input.wasm !== undefined) === (input.dir !== undefined))
      throw new TitanError('TITAN_E_USAGE', 'publish a folder (dir) or a binary with its manifest (wasm and manifest), not both');
    if (input.wasm !== undefined && input.manifest !== undefined) {
      const signingKey = input.sign ? await loadOrCreateSigningKey(kernel.paths.keys) : undefined;
      ctx.status = 201;
      ctx.body = { manifests: [await publishBinary(kernel, { wasm: input.wasm, manifest: input.manifest }, { signingKey })] };
      return;
    }
    if (input.dir === undefined) throw new TitanError('TITAN_E_USAGE', 'publish a folder (dir)');
    const dirs = await findComponentDirs(input.dir);
    if (dirs.length === 0) throw new TitanError('TITAN_E_SOURCE_MISSING', `no component.json under ${input.dir}`);
    const built = await buildComponents(dirs, { cacheDir: kernel.paths.cache, backend: input.backend });
    const signingKey = input.sign ? await loadOrCreateSigningKey(kernel.paths.keys) : undefined;
    const manifests: PublishedManifest[] = [];
    for (const b of built) manifests.push(await publishComponent(kernel, b, { signingKey }));
    ctx.status = 201;
    ctx.body = { manifests };
  });

  router.post('/call', async (ctx) => {
    requireAdmin(ctx);
    const input = body<{ kind: ComponentKind; name: string; fn?: string; args?: unknown[] }>(ctx.request.body, CALL);
    ctx.body = { result: (await kernel.call(input.kind, input.name, input.fn ?? 'invoke', input.args ?? [])) ?? null };
  });

  router.post('/slots/:kind/:name/rollback', async (ctx) => {
    requireAdmin(ctx);
    const slot = params<{ kind: ComponentKind; name: string }>(ctx.params, SLOT, 'the path');
    ctx.body = await kernel.rollback(slot.kind, slot.name);
  });

  // The owner's word after the kernel withdrew an inline grant (kernel/grant-withdrawals.ts).
  router.post('/slots/:kind/:name/regrant', async (ctx) => {
    requireAdmin(ctx);
    const slot = params<{ kind: ComponentKind; name: string }>(ctx.params, SLOT, 'the path');
    ctx.body = { lifted: await kernel.regrant(slot.kind, slot.name) };
  });

  return router;
}
