// Reflex builds offered to the mesh. Sending: the least loaded peer that advertises `builds:
// ['reflex']` gets a 'reflex-compile' task carrying the folder's two files; its answer (wasm in
// base64 and the manifest it built from) is trusted only after the manifest matches the one sent
// and this node's normal publish accepts the binary (real world inspected, imports linked against
// the manifest's grants, smoke test). No peer, a lost or timed-out peer, a refusal or a rejected
// answer: the build runs here. Receiving: a reflex folder of at most 1 MiB of source, built with
// the same build process into this node's cache.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { TitanError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import { REFLEX_WORLD, buildInChild, type ReflexBuildOffload, type ReflexFiles } from '../agent/api.ts';
import { validateSourceManifest, type PublishedManifest, type SourceManifest } from '../registry/manifest.ts';
import type { Member } from './membership.ts';
import type { TaskMessage } from './messages.ts';
import { leastLoadedPeer } from './scheduler.ts';
import type { TaskClient } from './task-client.ts';

/** Source a peer accepts to build in one task (manifest and guest source together). */
export const MAX_REFLEX_SOURCE_BYTES = 1024 * 1024;

export type ReflexBuildAnswer = { wasm: string; manifest: SourceManifest };
/** How this node builds a reflex folder (in a child process); a test may swap in a misbehaving one. */
export type BuildFolder = (dir: string, cacheDir: string) => Promise<{ wasm: Uint8Array; manifest: SourceManifest }>;

export type ReflexBuildsDeps = { self: string; kernel: Kernel; client: TaskClient; members(): Member[] };

export class ReflexBuilds implements ReflexBuildOffload {
  readonly #deps: ReflexBuildsDeps;
  /** Whether this node has the toolchain (its componentize backend resolves), learnt once. */
  readonly capable: boolean;
  buildFolder: BuildFolder = buildInChild;
  readonly counters = { offered: 0, builtByPeers: 0, builtHere: 0, fallbacks: 0, rejected: 0, builtForPeers: 0, refused: 0 };
  lastRejection: { peer: string; code: string; message: string } | undefined;

  constructor(deps: ReflexBuildsDeps) {
    this.#deps = deps;
    this.capable = hasToolchain();
  }

  // ---- sending ---------------------------------------------------------------------------

  async build(
    files: ReflexFiles,
    publishRemote: (wasm: Uint8Array) => Promise<PublishedManifest>,
    local: () => Promise<PublishedManifest>,
  ): Promise<PublishedManifest> {
    const peer = this.#pick();
    if (!peer) return this.#here(local);
    const sent = validateSourceManifest(JSON.parse(files.manifest), 'component.json');
    this.counters.offered++;
    const task: TaskMessage = {
      t: 'task',
      id: randomUUID(),
      type: 'reflex-compile',
      assignee: peer,
      component: { kind: 'reflex', name: sent.name, version: sent.version, range: sent.version, digest: '' },
      fn: 'build',
      args: [files],
    };
    const logger = this.#deps.kernel.logger;
    let wasm: Uint8Array;
    try {
      wasm = checkAnswer(await this.#deps.client.run(task), sent, peer);
    } catch (error) {
      // Lost (timeout, peer gone), a refusal or a failed build there: the existing path, here.
      if (error instanceof TitanError && error.code === 'TITAN_E_MESH_BUILD_REJECTED') this.#reject(peer, error);
      else logger.info({ peer, reflex: sent.name, reason: (error as Error).message }, 'mesh: a peer did not build the reflex; building it here');
      this.counters.fallbacks++;
      return this.#here(local);
    }
    try {
      const manifest = await publishRemote(wasm);
      this.counters.builtByPeers++;
      logger.info({ peer, reflex: `${manifest.name}@${manifest.version}`, digest: manifest.digest }, 'mesh: reflex built by a peer, verified and published');
      return manifest;
    } catch (error) {
      const coded = error as { code?: string; message?: string };
      this.#reject(
        peer,
        new TitanError(
          'TITAN_E_MESH_BUILD_REJECTED',
          `the reflex ${sent.name}@${sent.version} built by ${peer} failed this node's publish checks (${coded.code ?? 'error'}: ${coded.message ?? String(error)})`,
        ),
      );
      this.counters.fallbacks++;
      return this.#here(local);
    }
  }

  #here(local: () => Promise<PublishedManifest>): Promise<PublishedManifest> {
    this.counters.builtHere++;
    return local();
  }

  #reject(peer: string, error: TitanError): void {
    this.counters.rejected++;
    this.lastRejection = { peer, code: error.code, message: error.message };
    this.#deps.kernel.logger.warn({ peer, code: error.code, err: error.message }, "mesh: a peer's reflex build was rejected; building it here");
  }

  /** The least loaded peer advertising reflex builds with a slot free for us, if any. */
  #pick(): string | undefined {
    const { self, client, members } = this.#deps;
    return leastLoadedPeer(
      members(),
      self,
      (peer) => client.inFlight(peer),
      (member) => member.builds?.includes('reflex') === true,
    );
  }

  // ---- receiving -------------------------------------------------------------------------

  /** Runs a peer's 'reflex-compile' task: the folder's files in, the wasm and the manifest built from out. */
  async serve(task: TaskMessage): Promise<ReflexBuildAnswer> {
    const files = task.args[0] as Partial<ReflexFiles> | undefined;
    if (typeof files?.manifest !== 'string' || typeof files.source !== 'string') {
      this.counters.refused++;
      throw new TitanError('TITAN_E_MESH_TASK_INVALID', `reflex build ${task.id} must carry {manifest, source} as text`);
    }
    const bytes = Buffer.byteLength(files.manifest) + Buffer.byteLength(files.source);
    if (bytes > MAX_REFLEX_SOURCE_BYTES) {
      this.counters.refused++;
      throw new TitanError(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `reflex build ${task.id} carries ${bytes} bytes of source; a peer builds at most ${MAX_REFLEX_SOURCE_BYTES}`,
      );
    }
    let manifest: SourceManifest;
    try {
      manifest = validateSourceManifest(JSON.parse(files.manifest), 'component.json');
    } catch (error) {
      this.counters.refused++;
      throw new TitanError('TITAN_E_MESH_TASK_INVALID', `reflex build ${task.id}: ${(error as Error).message}`);
    }
    if (manifest.kind !== 'reflex' || manifest.world !== REFLEX_WORLD || manifest.source !== 'reflex.js') {
      this.counters.refused++;
      throw new TitanError(
        'TITAN_E_MESH_TASK_INVALID',
        `reflex build ${task.id}: peers build only reflex folders (kind "reflex", world ${REFLEX_WORLD}, source reflex.js)`,
      );
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-mesh-reflex-'));
    try {
      await writeFile(path.join(dir, 'component.json'), files.manifest);
      await writeFile(path.join(dir, 'reflex.js'), files.source);
      const built = await this.buildFolder(dir, this.#deps.kernel.paths.cache);
      this.counters.builtForPeers++;
      return { wasm: Buffer.from(built.wasm).toString('base64'), manifest: built.manifest };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The peer's answer as bytes, once its manifest is the one sent; anything else is rejected. */
function checkAnswer(value: unknown, sent: SourceManifest, peer: string): Uint8Array {
  const answer = value as Partial<ReflexBuildAnswer> | null;
  const reject = (why: string) => new TitanError('TITAN_E_MESH_BUILD_REJECTED', `the reflex ${sent.name}@${sent.version} built by ${peer} is refused: ${why}`);
  if (typeof answer?.wasm !== 'string' || answer.wasm.length === 0) throw reject('the answer carries no wasm');
  if (!isDeepStrictEqual(answer.manifest, JSON.parse(JSON.stringify(sent)))) throw reject('it was built from another manifest than the one sent');
  return new Uint8Array(Buffer.from(answer.wasm, 'base64'));
}

function hasToolchain(): boolean {
  try {
    import.meta.resolve('componentize-qjs');
    return true;
  } catch {
    return false;
  }
}
