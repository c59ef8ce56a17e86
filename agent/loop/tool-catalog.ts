// The tools the model may call: every tool component serving in a slot, described by itself, and
// the tools of other sources (MCP servers) beside them. Descriptions are read once per deployed
// version (cached by digest, in memory and on disk), not per turn.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../common/atomic-file.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolSpec } from './llm-types.ts';
import { ArgumentChecker } from './tool-arguments.ts';

/** sideEffects: the tool may change something (its manifest grants more than log, clock, events or read-only files). */
export type ToolInfo = ToolSpec & { needsApproval: boolean; digest: string; sideEffects: boolean };

const READ_ONLY_CAPABILITIES = new Set(['log', 'clock', 'events']);

function hasSideEffects(capabilities: Record<string, Record<string, unknown>>): boolean {
  return Object.entries(capabilities).some(([name, grant]) => !READ_ONLY_CAPABILITIES.has(name) && !(name === 'files' && grant.readOnly === true));
}

/** Tools that are not components (an MCP server's): listed beside them, run by their source. */
export type ToolSource = {
  tools(): ToolInfo[];
  owns(name: string): boolean;
  /** Runs a tool: its input as JSON text (already checked against its schema); answers its output. */
  invoke(name: string, input: string, callId: string): Promise<string>;
  cancel(callId: string): void;
};

type Descriptor = { name: string; description: string; inputSchema: string; needsApproval: boolean };

export class ToolCatalog {
  readonly #kernel: Kernel;
  readonly #byDigest = new Map<string, Promise<ToolInfo>>();
  /** Tools the owner lets run without asking, and tools the owner wants to be asked about (config),
   * whatever the tools themselves declare. */
  readonly #trusted: Set<string>;
  readonly #guarded: Set<string>;
  readonly #sources: ToolSource[] = [];
  readonly #arguments: ArgumentChecker;

  constructor(kernel: Kernel, policy: { trusted?: string[]; guarded?: string[] } = {}) {
    this.#kernel = kernel;
    this.#trusted = new Set(policy.trusted);
    this.#guarded = new Set(policy.guarded);
    this.#arguments = new ArgumentChecker((message) => kernel.bus.emit('kernel.warning', { message }));
  }

  /** Throws TITAN_E_TOOL_ARGUMENTS when the arguments do not match the tool's declared schema. */
  checkArguments(tool: ToolInfo, args: unknown): void {
    this.#arguments.check(tool, args);
  }

  async list(): Promise<ToolInfo[]> {
    // Per model request: the serving tools only, not every component's status.
    const serving = this.#kernel.servingOfKind('tool');
    // Turns that start together share one describe per new version (a burst of a thousand turns
    // after a start would otherwise queue a thousand describes on each tool's instances).
    const tools = (await Promise.all(serving.map((c) => this.#describe(c.name, c.digest)))).map((info) => this.withPolicy(info));
    // Versions no longer serving are forgotten: the cache stays the size of the serving set.
    if (this.#byDigest.size > serving.length) {
      const live = new Set(serving.map((c) => c.digest));
      for (const digest of this.#byDigest.keys()) if (!live.has(digest)) this.#byDigest.delete(digest);
    }
    // A component's name never holds the separator of a source's names: no shadowing either way.
    for (const source of this.#sources) for (const info of source.tools()) tools.push(this.withPolicy(info));
    return tools;
  }

  /** How many tool versions' descriptions are held (the serving ones at most, after a list). */
  get cachedDescriptions(): number {
    return this.#byDigest.size;
  }

  #describe(name: string, digest: string): Promise<ToolInfo> {
    let info = this.#byDigest.get(digest);
    if (!info) {
      info = this.#read(name, digest);
      this.#byDigest.set(digest, info);
      // A describe that failed is asked again by the next turn.
      info.catch(() => this.#byDigest.get(digest) === info && this.#byDigest.delete(digest));
    }
    return info;
  }

  async #read(name: string, digest: string): Promise<ToolInfo> {
    const raw = await this.#descriptor(name, digest);
    let schema: Record<string, unknown> = { type: 'object' };
    try {
      schema = JSON.parse(raw.inputSchema) as Record<string, unknown>;
    } catch {
      // a tool with an unreadable schema still gets called with an object
    }
    const capabilities = this.#kernel.serving('tool', name)?.capabilities ?? {};
    return { name, description: raw.description, schema, needsApproval: raw.needsApproval, digest, sideEffects: hasSideEffects(capabilities) };
  }

  /**
   * A tool's own description, kept on disk by its binary's digest (the same binary describes itself
   * the same way): a start lists every tool without loading the ones no turn has called yet.
   */
  async #descriptor(name: string, digest: string): Promise<Descriptor> {
    const file = path.join(this.#kernel.paths.cache, 'tool-descriptions', `${digest.replace(/^sha256:/, '')}.json`);
    const kept = await readJsonFile<Descriptor | null>(file, null).catch(() => null);
    if (
      kept &&
      typeof kept.name === 'string' &&
      typeof kept.description === 'string' &&
      typeof kept.inputSchema === 'string' &&
      typeof kept.needsApproval === 'boolean'
    )
      return kept;
    const raw = (await this.#kernel.call('tool', name, 'describe', [])) as Descriptor;
    const descriptor = { name: raw.name, description: raw.description, inputSchema: raw.inputSchema, needsApproval: raw.needsApproval === true };
    // A cache: failing to keep it costs only the next start a load.
    await mkdir(path.dirname(file), { recursive: true })
      .then(() => writeJsonAtomic(file, descriptor))
      .catch(() => {});
    return raw;
  }

  /** The owner's trusted and guarded lists apply to every tool, whatever its source. */
  withPolicy<T extends ToolInfo>(info: T): T {
    const needsApproval = this.#guarded.has(info.name) || (info.needsApproval && !this.#trusted.has(info.name));
    return { ...info, needsApproval };
  }

  /**
   * Trusts a tool from now on (as if listed in trustedTools): `titan start` does so for the shell
   * once its commands run in the sandbox. A guarded tool stays guarded. Returns the undo.
   */
  trust(name: string): () => void {
    this.#trusted.add(name);
    return () => this.#trusted.delete(name);
  }

  addSource(source: ToolSource): void {
    this.#sources.push(source);
  }

  /** The source that runs a tool of this name, if it is not a component. */
  sourceOf(name: string): ToolSource | undefined {
    return this.#sources.find((s) => s.owns(name));
  }

  get sources(): readonly ToolSource[] {
    return this.#sources;
  }
}
