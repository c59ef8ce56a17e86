// Just-in-time tools: a tool the agent writes for a one-off task, as the body of a function of
// (input, tools). It runs in a worker under a time and a memory limit, reaching only the tools its
// run is granted (titan:host/tools refuses the rest), on an instance of its own that is dropped
// after the run. Two ways in: the prebuilt runtime component loads the source (milliseconds), or
// the source is built into a component of its own by the QuickJS toolchain (about a second),
// which is also how a tool worth keeping is promoted to a published component.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentDigest } from '../common/digest.ts';
import { TitanError, isTitanError } from '../common/errors.ts';
import { parseWorld, type PublishedManifest, type SourceManifest } from '../registry/manifest.ts';
import { BuildPool } from '../toolchain/build-pool.ts';
import { buildComponent, type BuiltComponent } from '../toolchain/build.ts';
import type { Deployment } from './deployment.ts';

const RUNTIME_DIR = fileURLToPath(new URL('../components/jit/runtime/', import.meta.url));
const WORLD = 'titan:tool/tool-component@0.2.0';

export type JitRequest = {
  /** The body of a function of (input, tools); what it returns is the tool's JSON answer. */
  source: string;
  input?: unknown;
  /** The tools it may call through tools.call(name, input); none unless granted. */
  grant?: string[];
  /** runtime: the prebuilt runtime loads the source; build: a component of its own (QuickJS). */
  path?: 'runtime' | 'build';
  timeoutMs?: number;
  memoryMb?: number;
};

export type JitResult = { output: unknown; path: 'runtime' | 'build'; ms: number };

export type JitDeps = {
  cacheDir: string;
  /** A worker deployment of a binary under its manifest's limits and grants (Kernel.probeFor). */
  probe(manifest: PublishedManifest, wasm: Uint8Array): Promise<Deployment>;
  publish(built: BuiltComponent): Promise<PublishedManifest>;
};

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_MEMORY_MB = 32;
const TOOL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export class JitTools {
  readonly #deps: JitDeps;
  #runtime: Promise<BuiltComponent> | undefined;
  #pool: BuildPool | undefined;

  constructor(deps: JitDeps) {
    this.#deps = deps;
  }

  /** Builds the runtime (once, cached by content on disk) so the first run does not wait for it. */
  prepare(): Promise<BuiltComponent> {
    this.#runtime ??= buildComponent(RUNTIME_DIR, { cacheDir: this.#deps.cacheDir, compile: (...a) => this.#compiler().compile(...a) });
    this.#runtime.catch(() => (this.#runtime = undefined));
    return this.#runtime;
  }

  #compiler(): BuildPool {
    this.#pool ??= new BuildPool();
    return this.#pool;
  }

  async run(request: JitRequest): Promise<JitResult> {
    const started = performance.now();
    const grant = checkGrant(request.grant ?? []);
    const limits = {
      isolation: 'worker' as const,
      timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      memoryMb: request.memoryMb ?? DEFAULT_MEMORY_MB,
      maxInstances: 1,
    };
    const via = request.path ?? 'runtime';
    let built: BuiltComponent;
    let args: string;
    let dir: string | undefined;
    if (via === 'runtime') {
      built = await this.prepare();
      args = JSON.stringify({ source: request.source, input: request.input ?? null });
    } else {
      dir = await writeToolFolder(request.source, grant, limits);
      built = await buildComponent(dir, { cacheDir: this.#deps.cacheDir, compile: (...a) => this.#compiler().compile(...a) }).catch((error: unknown) => {
        throw new TitanError('TITAN_E_JIT_FAILED', `the JIT tool does not build: ${(error as Error).message}`);
      });
      args = JSON.stringify(request.input ?? null);
    }
    try {
      const manifest = draftManifest(built, grant, limits);
      const deployment = await this.#deps.probe(manifest, built.wasm);
      try {
        const output = await deployment.call('invoke', [args]);
        return { output: JSON.parse(output as string), path: via, ms: performance.now() - started };
      } catch (error) {
        throw jitError(error, limits);
      } finally {
        await deployment.close(); // its instance goes with it: nothing of this run reaches the next
      }
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }

  /** Builds the tool into a component of its own and publishes it as tool/name@version (not deployed). */
  async promote(request: JitRequest, name: string, version: string): Promise<PublishedManifest> {
    if (!TOOL_NAME.test(name)) throw new TitanError('TITAN_E_USAGE', `"${name}" is not a component name (lower-case letters, digits and -)`);
    const grant = checkGrant(request.grant ?? []);
    const limits = { isolation: 'worker' as const, timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS, memoryMb: request.memoryMb ?? DEFAULT_MEMORY_MB };
    const dir = await writeToolFolder(request.source, grant, limits, { name, version });
    try {
      return await this.#deps.publish(await buildComponent(dir, { cacheDir: this.#deps.cacheDir }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    await this.#pool?.close();
  }
}

function checkGrant(grant: string[]): string[] {
  for (const name of grant) if (!TOOL_NAME.test(name)) throw new TitanError('TITAN_E_USAGE', `"${name}" is not a tool name to grant`);
  return [...new Set(grant)].sort();
}

/** The manifest a run deploys under: its own grant and limits, never more. */
function draftManifest(built: BuiltComponent, grant: string[], limits: SourceManifest['limits']): PublishedManifest {
  const { source: _source, ...declared } = built.manifest;
  const world = parseWorld(declared.world);
  return {
    ...declared,
    capabilities: { log: {}, tools: { allow: grant } },
    limits,
    schemaVersion: 1,
    witPackage: `${world.pkg}@${world.version}`,
    digest: contentDigest(built.wasm),
    size: built.wasm.length,
    backend: built.backend,
    description: 'a just-in-time tool',
    schema: { type: 'object' },
    imports: ['titan:host/log@0.2.0', 'titan:host/tools@0.2.0'],
    sourceDigest: built.sourceDigest,
    created: new Date().toISOString(),
  };
}

/** A component folder holding the tool as a component of its own (the QuickJS path, and promotion). */
async function writeToolFolder(
  source: string,
  grant: string[],
  limits: SourceManifest['limits'],
  identity = { name: 'jit-tool', version: '0.0.0' },
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-jit-'));
  const manifest: SourceManifest = {
    ...identity,
    kind: 'tool',
    world: WORLD,
    source: 'tool.js',
    capabilities: { log: {}, tools: { allow: grant } },
    limits,
  };
  const guest = [
    "import { invoke as invokeTool } from 'titan:host/tools@0.2.0';",
    'let denied;',
    'const tools = { call(name, input) { try { return JSON.parse(invokeTool(name, JSON.stringify(input ?? {}))); } catch (e) {',
    "  const text = String(e && e.payload !== undefined ? e.payload : e); if (text.startsWith('TITAN_E_CAPABILITY_DENIED')) denied = text; throw e; } } };",
    `function run(input, tools) {\n"use strict";\n${source}\n}`,
    'export const tool = {',
    `  describe() { return { name: ${JSON.stringify(identity.name)}, description: 'a just-in-time tool', inputSchema: '{"type":"object"}', needsApproval: false }; },`,
    '  invoke(text) { let result; try { result = run(JSON.parse(text), tools); } catch (e) {',
    "    if (!denied) throw { tag: 'failed', val: String(e && e.message !== undefined ? e.message : e) }; }",
    "    if (denied) throw { tag: 'failed', val: denied }; return JSON.stringify(result === undefined ? null : result); },",
    '  smoke() {},',
    '};',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'component.json'), JSON.stringify(manifest, null, 2));
  await writeFile(path.join(dir, 'tool.js'), guest);
  return dir;
}

/** A run's failure in the JIT's own codes: a limit, a refused capability, or the tool's own error. */
function jitError(error: unknown, limits: { timeoutMs: number; memoryMb: number }): TitanError {
  if (isTitanError(error, 'TITAN_E_TIMEOUT')) return new TitanError('TITAN_E_JIT_LIMIT', `the JIT tool ran past its ${limits.timeoutMs} ms and was stopped`);
  if (isTitanError(error, 'TITAN_E_OUT_OF_MEMORY'))
    return new TitanError('TITAN_E_JIT_LIMIT', `the JIT tool passed its ${limits.memoryMb} MiB and was stopped`);
  const message = error instanceof Error ? error.message : String(error);
  // QuickJS's own allocator failing at the cap surfaces as the guest's "out of memory" error.
  if (/: failed: out of memory$/.test(message)) return new TitanError('TITAN_E_JIT_LIMIT', `the JIT tool passed its ${limits.memoryMb} MiB and was stopped`);
  const denied = /TITAN_E_CAPABILITY_DENIED: (.*)$/.exec(message);
  if (denied) return new TitanError('TITAN_E_JIT_CAPABILITY', `the JIT tool asked for what it was not granted: ${denied[1]}`);
  return new TitanError('TITAN_E_JIT_FAILED', `the JIT tool failed: ${message}`, { cause: error });
}
