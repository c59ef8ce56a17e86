// A model-written reimplementation of a slow tool: the model reads the tool's manifest, its source
// when the kernel knows it, and a sample of its recorded calls, and answers with new source; the
// toolchain builds it (in a build thread, off the kernel's own) under the serving version's world,
// capabilities and limits, and it is published as a derived version, smoke-tested on the way in.
// Whether it answers like the old one and is faster is for verification to say, not for the model.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { BuildPool } from '../toolchain/build-pool.ts';
import { buildComponent } from '../toolchain/build.ts';
import type { RecordedCall } from './call-recorder.ts';
import { derivedSourceManifest, findSource, nextDerivedVersion } from './derive.ts';
import { stableJson } from './host-tape.ts';
import type { Kernel } from './kernel.ts';
import { publishComponent } from './publish.ts';

/** Asks a model: the system and the user message in, its whole answer out (a port: the agent's LLM plugs in). */
export type SourceModel = (prompt: { system: string; user: string }, signal: AbortSignal) => Promise<string>;

/** Examples shown to the model: enough to pin the behaviour down, short enough for a prompt. */
const EXAMPLES = 24;
const MAX_SOURCE_CHARS = 200_000;

const SYSTEM = [
  'You rewrite a Titan tool component to be faster while answering exactly as it does now.',
  'A tool is an ES module for QuickJS exporting `tool = { describe, invoke }`: describe() returns',
  '{ name, description, inputSchema (JSON text), needsApproval }; invoke(input) takes JSON text and returns JSON text;',
  'errors are thrown as { tag: "invalid-input" | "failed", val: "message" }.',
  'Keep describe() and every answer (values, key order aside, and errors) the same. No imports beyond the ones the',
  'current source has, no clock, no randomness. Answer with the complete new source in one ```js block and nothing else.',
].join(' ');

export function rewritePrompt(base: PublishedManifest, source: string | undefined, calls: RecordedCall[], p50: number): { system: string; user: string } {
  const examples = calls
    .filter((c) => c.fn === 'invoke')
    .slice(-EXAMPLES)
    .map((c) => `input ${stableJson(c.args[0])} -> ${c.ok ? `output ${stableJson(c.output)}` : `error ${c.error?.code}: ${c.error?.message}`}`);
  const user = [
    `Tool ${base.name}@${base.version}: ${base.description}`,
    `Input schema: ${JSON.stringify(base.schema)}`,
    `Its calls take ${p50} ms at the median; make them faster.`,
    source ? `Current source:\n\`\`\`js\n${source}\n\`\`\`` : 'Its source is not available: write it from the description and the calls below.',
    `Recorded calls (${examples.length}):\n${examples.join('\n')}`,
  ].join('\n\n');
  return { system: SYSTEM, user };
}

/** The source in the model's answer: its first fenced block, or the whole answer when it has none. */
export function extractSource(answer: string): string {
  const fenced = /```(?:js|javascript|ts|typescript)?\s*\n([\s\S]*?)```/.exec(answer);
  const source = (fenced ? fenced[1] : answer).trim();
  if (!source) throw new TitanError('TITAN_E_REWRITE_FAILED', 'the model answered no source');
  if (source.length > MAX_SOURCE_CHARS)
    throw new TitanError('TITAN_E_BUILD_FAILED', `the model's source is ${source.length} characters (at most ${MAX_SOURCE_CHARS})`);
  return source;
}

/** Asks the model for a faster `base`, builds and publishes it; throws the build's or the smoke test's coded error. */
export async function writeFasterVersion(
  kernel: Kernel,
  model: SourceModel,
  base: PublishedManifest,
  calls: RecordedCall[],
  p50: number,
  signal: AbortSignal,
): Promise<PublishedManifest> {
  const source = await findSource(kernel.paths.home, base);
  const answer = await model(rewritePrompt(base, source, calls, p50), signal);
  return buildAndPublish(kernel, base, extractSource(answer));
}

/** Builds `js` as the next derived version of `base` and publishes it (the publish runs its smoke test). */
export async function buildAndPublish(kernel: Kernel, base: PublishedManifest, js: string): Promise<PublishedManifest> {
  const version = await nextDerivedVersion(kernel.registry, base);
  const dir = path.join(kernel.paths.cache, 'rewrites', `${base.kind}-${base.name}-${version}`);
  await mkdir(dir, { recursive: true });
  const pool = new BuildPool(1);
  try {
    const manifest = { ...derivedSourceManifest(base, version, 'tool.js'), ...(base.memo ? { memo: base.memo } : {}) };
    await writeFile(path.join(dir, 'component.json'), JSON.stringify(manifest, null, 2));
    await writeFile(path.join(dir, 'tool.js'), js);
    let built;
    try {
      built = await buildComponent(dir, { cacheDir: kernel.paths.cache, compile: pool.compile });
    } catch (error) {
      if (error instanceof TitanError && error.code === 'TITAN_E_BUILD_FAILED') throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new TitanError('TITAN_E_BUILD_FAILED', `the rewritten ${base.name} does not build: ${message}`, { cause: error });
    }
    // Published without its folder: the folder is scratch, and the binary is no built-in.
    return await publishComponent(kernel, { manifest: built.manifest, wasm: built.wasm, backend: built.backend, sourceDigest: built.sourceDigest });
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}
