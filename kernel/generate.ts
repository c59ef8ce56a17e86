// A new channel or provider written by a model from a description: the model is shown the slot's
// WIT contract and the rules of a guest, and answers with the platform section of the manifest
// and the source; the toolchain builds it (in a build thread), it is published (linked and
// smoke-tested in a worker) and proposed as a patch, verified like every patch before it may be
// approved and deployed. Nothing the model wrote runs before those checks.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../common/errors.ts';
import { validateSourceManifest, type PublishedManifest, type SourceManifest } from '../registry/manifest.ts';
import { BuildPool } from '../toolchain/build-pool.ts';
import { buildComponent } from '../toolchain/build.ts';
import type { Kernel } from './kernel.ts';
import type { Patch } from './patches.ts';
import { publishComponent } from './publish.ts';
import { extractSource, type SourceModel } from './rewrite.ts';

const WIT_ROOT = fileURLToPath(new URL('../wit/', import.meta.url));

export type GenerateKind = 'channel' | 'provider';
export type GenerateRequest = { kind: GenerateKind; name: string; description: string; version?: string };

const WORLDS: Record<GenerateKind, { world: string; wit: string; exportName: string; smoke: SourceManifest['smoke'] }> = {
  channel: {
    world: 'titan:channel/channel-component@0.2.0',
    wit: 'channel@0.2.0/channel.wit',
    exportName: 'channel',
    smoke: [{ function: 'describe', args: [] }],
  },
  provider: {
    world: 'titan:provider/provider-component@0.1.0',
    wit: 'provider@0.1.0/provider.wit',
    exportName: 'provider',
    smoke: [{ function: 'encode-request', args: ['{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[]}'] }],
  },
};

const SECTION_RULES: Record<GenerateKind, string> = {
  channel: [
    'The "channel" section: {"title", "apiUrl" (http(s) base of the platform API; outbound request paths are appended to it),',
    '"maxChars", "canEdit", "secrets": {NAME: {"env": "TITAN_...", "use": "outbound" | "verification", "required": bool}},',
    '"verify": rules the host computes from a verification secret and hands decodeInbound as secret-headers:',
    '{"scheme": "token-header", "secret", "header", "as"} ("true"/"false"), {"scheme": "token-query", "secret", "param", "as"},',
    '{"scheme": "hmac-sha256", "secret", "message" ("{body}", "{header:NAME}"), "prefix"?, "as"} (the expected signature),',
    '{"scheme": "ed25519", "secret", "signatureHeader", "message", "as"} ("true"/"false")}.',
    'decodeInbound returns {messagesJson: JSON of {"messages": [{"eventId", "chatId", "senderId", "senderName"?, "text", "context"}]}, response};',
    'encodeOutbound gets {"op": "send" | "edit", "context", "text", "part"} and returns requests whose headers may name an outbound secret as {{secret:NAME}};',
    'decodeSent returns JSON {"ok", "messageId"?, "status"?, "error"?, "retryAfterMs"?}. Bodies are Uint8Array: QuickJS has no TextEncoder,',
    'so encode and decode UTF-8 by hand.',
  ].join(' '),
  provider: [
    'The "provider" section: {"title", "baseUrl"? (default base URL), "model"? (default model), "keyHeader"? ("authorization" | "x-api-key" | "api-key")}.',
    'The host sends the request encodeRequest returns to the base URL plus its path, adds the key in keyHeader, and feeds the streamed body to decodeStream.',
  ].join(' '),
};

export function generatePrompt(request: GenerateRequest, wit: string): { system: string; user: string } {
  const { exportName } = WORLDS[request.kind];
  const system = [
    `You write a Titan ${request.kind} component: an ES module for QuickJS (plain ECMAScript: no Node, no DOM, no imports)`,
    `exporting \`${exportName}\` with the functions of the WIT interface below in camelCase. WIT results are returned;`,
    `their errors are thrown as { tag, val }. Secrets never enter the component. ${SECTION_RULES[request.kind]}`,
    'Answer with two fenced blocks and nothing else: first ```json with the section, then ```js with the complete source.',
  ].join(' ');
  const user = [`Write the ${request.kind} "${request.name}": ${request.description}`, `The WIT contract:\n\`\`\`wit\n${wit}\n\`\`\``].join('\n\n');
  return { system, user };
}

/** The section (first ```json block) and the source (the ```js block) of the model's answer. */
export function readAnswer(answer: string): { section: unknown; source: string } {
  const json = /```json\s*\n([\s\S]*?)```/.exec(answer);
  if (!json) throw new TitanError('TITAN_E_GENERATE_FAILED', 'the model answered no ```json block with the manifest section');
  let section: unknown;
  try {
    section = JSON.parse(json[1]);
  } catch (error) {
    throw new TitanError('TITAN_E_GENERATE_FAILED', `the model's manifest section is not JSON: ${(error as Error).message}`);
  }
  return { section, source: extractSource(answer.replace(json[0], '')) };
}

/** Asks the model for the component, builds, publishes and proposes it; every refusal is coded and leaves no version behind. */
export async function generateComponent(
  kernel: Kernel,
  model: SourceModel,
  request: GenerateRequest,
  signal: AbortSignal,
): Promise<{ manifest: PublishedManifest; patch: Patch }> {
  const spec = WORLDS[request.kind];
  const version = request.version ?? '0.1.0';
  const wit = await readFile(path.join(WIT_ROOT, spec.wit), 'utf8');
  const { section, source } = readAnswer(await model(generatePrompt(request, wit), signal));
  const manifest = {
    name: request.name,
    kind: request.kind,
    version,
    world: spec.world,
    source: `${request.kind}.js`,
    capabilities: { log: {} },
    limits: { memoryMb: 32, maxInstances: 4 },
    smoke: spec.smoke,
    [request.kind]: section,
  };
  // The section is checked as any author's: a bad one is refused before anything is built.
  validateSourceManifest(manifest, `the generated ${request.kind}/${request.name}`);
  const dir = path.join(kernel.paths.cache, 'generated', `${request.kind}-${request.name}-${version}`);
  await mkdir(dir, { recursive: true });
  const pool = new BuildPool(1);
  let published: PublishedManifest;
  try {
    await writeFile(path.join(dir, 'component.json'), JSON.stringify(manifest, null, 2));
    await writeFile(path.join(dir, manifest.source), source);
    let built;
    try {
      built = await buildComponent(dir, { cacheDir: kernel.paths.cache, compile: pool.compile });
    } catch (error) {
      if (error instanceof TitanError && error.code === 'TITAN_E_BUILD_FAILED') throw error;
      throw new TitanError('TITAN_E_BUILD_FAILED', `the generated ${request.name} does not build: ${(error as Error).message}`, { cause: error });
    }
    published = await publishComponent(kernel, { manifest: built.manifest, wasm: built.wasm, backend: built.backend, sourceDigest: built.sourceDigest });
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
  const patch = await kernel.proposePatch(
    { kind: request.kind, name: request.name, range: version },
    { by: 'agent', why: `generated from a description: ${request.description.slice(0, 200)}` },
  );
  return { manifest: published, patch: await kernel.verifyPatch(patch.id) };
}
