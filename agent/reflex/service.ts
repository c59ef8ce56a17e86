// Reflexes, end to end: after completed model turns (debounced, in the background) the miner
// looks for recurring patterns; an eligible one is compiled, built, published with its
// provenance, guarded (reproduce the source answers, refuse near misses) and deployed through the
// patch queue (approved by policy when reflexes.autoApprove is on, else by a human). In service, the
// fast path asks the serving reflexes, then the shadow cache; rejections, misses, a tool's new
// version and a disagreement with the model (checked on a background sample) suspend a reflex.
import { EventEmitter } from 'node:events';
import { TitanError } from '../../common/errors.ts';
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Agent } from '../loop/agent.ts';
import { toChatMessages } from '../loop/history.ts';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Patch } from '../../kernel/patches.ts';
import { agrees, askModel } from './check.ts';
import { EmbedderSwitched, localEmbedder, providerEmbedder, type Embedder } from './embedder.ts';
import type { AgentPorts } from '../ports.ts';
import { compilePattern, deployReflex, toolDigests, warmReflex, type PipelineDeps } from './pipeline.ts';
import { minePatterns, type MinedPattern } from './miner.ts';
import { deleteRecord, loadRecords, observedTurns, saveRecord, type ReflexRecord } from './records.ts';
import { askReflexes, type FastResult } from './router.ts';
import { ShadowWorkers } from './shadow.ts';
import { ToolReplay } from './tool-replay.ts';
import { reflexesSection, shadowSection, type ReflexConfigs, type ReflexesConfig } from './config.ts';

export type ReflexEvents = {
  changed: [ReflexRecord];
  hit: [ReflexRecord];
  miss: [ReflexRecord, string];
  shadowHit: [];
  /** A pattern became eligible (mined with enough support) and when it started serving, in ms. */
  eligible: [string, number];
  serving: [ReflexRecord, number];
};

export type ReflexServiceOptions = {
  llm?: LlmStream;
  tools?: ToolCatalog;
  /** The reflexes' and shadow workers' sections of the configuration; default their defaults. */
  config?: ReflexConfigs;
  /** When the provider embeddings are configured (reflexes.embeddings: "provider"). */
  embedder?: Embedder;
  /** How long after a model turn the miner runs (it runs once for a burst of turns). */
  mineDelayMs?: number;
  /** The guest source of a spec; default the compiler's generator (the tests feed bad source through it). */
  generate?: (spec: ReflexSpec) => Promise<string>;
  /** A background model is configured (providers.background): shadow workers use it within their budget. */
  backgroundModel?: boolean;
  /** Other nodes that build reflexes (the mesh's, handed in at start). */
  reflexBuilds?: AgentPorts['reflexBuilds'];
};

const MISSES_TO_SUSPEND = 3;
const INTERRUPTED = 'its build was interrupted by a restart';
const COUNTER_FLUSH_MS = 1000;
/** Reflex builds run in a worker thread each: two at a time keep both cores of a small machine busy. */
const COMPILES_AT_ONCE = 2;

export class ReflexService extends EventEmitter<ReflexEvents> {
  readonly #kernel: Kernel;
  readonly #options: ReflexServiceOptions;
  readonly #config: ReflexConfigs;
  readonly #records = new Map<string, ReflexRecord>();
  readonly #replay: ToolReplay;
  readonly embedder: Embedder;
  readonly shadow: ShadowWorkers | undefined;
  /** Which model the shadow workers spend: the background one, the main one within its small budget, or none. */
  readonly shadowModel: 'background' | 'main' | 'off';
  #serving: ReflexRecord[] = [];
  #mining: Promise<void> | undefined;
  #mineAgain = false;
  #mineTimer: NodeJS.Timeout | undefined;
  #consecutiveMisses = new Map<string, number>();
  readonly #dirty = new Set<ReflexRecord>();
  #flushTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #offs: Array<() => void> = [];
  /** Turn id -> the reflex (or shadow) that answered it, for "ask the model instead". */
  readonly #answeredBy = new Map<string, { source: 'reflex' | 'shadow'; name?: string; prompt: string; threadId: string }>();
  readonly counters = { modelCallsAvoided: 0, shadowHits: 0, checks: 0, disagreements: 0 };
  readonly #pipeline: PipelineDeps;

  constructor(kernel: Kernel, options: ReflexServiceOptions = {}) {
    super();
    this.#kernel = kernel;
    this.#options = options;
    this.#config = options.config ?? { reflexes: reflexesSection.defaults, shadow: shadowSection.defaults };
    this.#replay = new ToolReplay(kernel);
    this.#pipeline = {
      kernel,
      config: this.#config.reflexes,
      tools: options.tools,
      llm: options.llm,
      generate: options.generate,
      offload: options.reflexBuilds,
      replay: this.#replay,
      taken: (name) => this.#records.has(name),
      save: (record) => this.#save(record),
      log: (level, message) => this.#log(level, message),
      serving: (record, ms) => this.emit('serving', record, ms),
    };
    this.embedder = options.embedder ?? localEmbedder;
    const shadow = this.#config.shadow;
    // Predictions cost requests: the background model's budget, else the main model's (default 0: off).
    const budgetPerHour = options.backgroundModel ? shadow.budgetPerHour : Math.min(shadow.budgetPerHour, shadow.mainModelBudgetPerHour);
    this.shadowModel = !shadow.enabled || !options.llm || !options.tools || budgetPerHour === 0 ? 'off' : options.backgroundModel ? 'background' : 'main';
    if (this.shadowModel !== 'off' && options.llm && options.tools) {
      const tools = options.tools;
      this.shadow = new ShadowWorkers({
        llm: options.llm,
        embedder: this.embedder,
        tools: () => tools.list(),
        invokeTool: (name, input) => kernel.call('tool', name, 'invoke', [input]) as Promise<string>,
        concurrency: shadow.concurrency,
        budgetPerHour,
        ttlMs: shadow.ttlMs,
        similarity: shadow.similarity,
        onLog: (message) => kernel.logger.info({ component: 'reflex/shadow' }, message),
      });
    }
  }

  /** The embedder the configuration names: the provider's embeddings endpoint, or the local one. */
  static embedderFor(
    config: ReflexesConfig,
    provider: Parameters<typeof providerEmbedder>[0] | undefined,
    ports: AgentPorts = {},
    env: Record<string, string | undefined> = process.env,
  ): Embedder {
    if (config.embeddings === 'provider' && provider) return providerEmbedder(provider, config.embeddingModel, env);
    // "mesh": batches go to another node that offers embeddings (the port); without one, local.
    if (config.embeddings === 'mesh') return ports.embeddingBatches?.embedder() ?? localEmbedder;
    return localEmbedder;
  }

  async start(): Promise<void> {
    for (const record of await loadRecords(this.#kernel.store)) this.#records.set(record.name, await this.#reconcile(record));
    this.#refresh();
    // Serving reflexes get a warm worker before the first request (in the background, one at a time).
    void (async () => {
      for (const record of this.#serving) if (!this.#closed) await warmReflex(this.#kernel, record);
    })();
    const bus = this.#kernel.bus;
    this.#offs.push(
      bus.on('turn.event', (event) => {
        if (event.type !== 'turn.completed' || event.from !== 'model') return;
        this.#scheduleMine();
        if (this.shadow) void this.#predictAfter(event.threadId);
      }),
    );
    this.#offs.push(bus.on('component.deployed', (event) => void this.#onDeployed(event.slot, event.version, event.digest)));
    this.#offs.push(bus.on('patch.changed', (event) => void this.#onPatch(event.id, event.state)));
  }

  /** The shadow workers' account: model requests spent against requests saved, and on which model. */
  shadowSummary(): { model: 'background' | 'main' | 'off'; requestsSpent: number; requestsSaved: number; stats?: ShadowWorkers['stats'] } {
    const shadow = this.shadow;
    return {
      model: this.shadowModel,
      requestsSpent: shadow?.requests.spent ?? 0,
      requestsSaved: shadow?.requests.saved ?? 0,
      stats: shadow && { ...shadow.stats },
    };
  }

  list(): ReflexRecord[] {
    return [...this.#records.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(name: string): ReflexRecord {
    const record = this.#records.get(name) ?? [...this.#records.values()].find((r) => r.id === name);
    if (!record) throw new TitanError('TITAN_E_REFLEX_NOT_FOUND', `no reflex named "${name}"`);
    return record;
  }

  /**
   * A record as it was stored before a restart, made true to what the kernel serves: a build that
   * was deployed but whose "serving" was never written serves; one that never finished is
   * discarded, and mined again on the next run.
   */
  async #reconcile(record: ReflexRecord): Promise<ReflexRecord> {
    if (record.state !== 'building') return record;
    // A reflex is deployed only through its patch, after its guard passed.
    const served = this.#kernel.serving('reflex', record.name);
    if (served)
      Object.assign(record, {
        state: 'serving',
        version: served.version,
        component: `reflex/${record.name}@${served.version}`,
        reason: null,
        tools: toolDigests(this.#kernel, record.spec),
      });
    else Object.assign(record, { state: 'discarded', reason: INTERRUPTED });
    await this.#save(record);
    return record;
  }

  // ---- the fast path -----------------------------------------------------------------------

  /** Before the model: a serving reflex above the threshold, else the shadow cache, else nothing. */
  async fastPath(input: { threadId: string; turnId: string; prompt: string }): Promise<FastResult> {
    const notes: string[] = [];
    const outcome = await askReflexes(this.#kernel, this.#serving, input.prompt, this.#config.reflexes.threshold);
    if (outcome.kind === 'hit') {
      const record = outcome.record;
      record.hits++;
      record.modelCallsAvoided++;
      this.counters.modelCallsAvoided++;
      this.#consecutiveMisses.delete(record.name);
      this.#answeredBy.set(input.turnId, { source: 'reflex', name: record.name, prompt: input.prompt, threadId: input.threadId });
      this.emit('hit', record);
      void this.#persist(record);
      this.#maybeCheck(record, input.prompt, outcome.text);
      return {
        answer: {
          source: 'reflex',
          text: outcome.text,
          marker: `reflex:${record.name}@${record.version}`,
          reflex: { name: record.name, version: record.version ?? '', confidence: outcome.confidence },
        },
        notes,
      };
    }
    if (outcome.kind === 'miss') {
      const record = outcome.record;
      record.misses++;
      notes.push(`reflex ${record.name} failed (${outcome.why.slice(0, 200)}); the model answers`);
      this.emit('miss', record, outcome.why);
      const misses = (this.#consecutiveMisses.get(record.name) ?? 0) + 1;
      this.#consecutiveMisses.set(record.name, misses);
      if (misses >= MISSES_TO_SUSPEND) await this.#suspend(record, `failed ${misses} times in a row (last: ${outcome.why.slice(0, 200)})`);
      else void this.#persist(record);
    }
    const cached = await this.shadow?.lookup(input.threadId, input.prompt);
    if (cached) {
      this.counters.shadowHits++;
      this.counters.modelCallsAvoided++;
      this.#answeredBy.set(input.turnId, { source: 'shadow', prompt: input.prompt, threadId: input.threadId });
      this.emit('shadowHit');
      return { answer: { source: 'shadow', text: cached.text, marker: 'shadow' }, notes };
    }
    return { notes };
  }

  /** After a model turn: the shadow workers predict the thread's next requests from its recent history. */
  async #predictAfter(threadId: string): Promise<void> {
    try {
      const rows = await this.#kernel.store.listMessages(threadId, 20);
      this.shadow?.afterTurn(threadId, toChatMessages(rows));
    } catch (error) {
      this.#log('warn', `shadow prediction skipped: ${(error as Error).message}`);
    }
  }

  /** The reflex or cache that answered a turn: remembered in this run, else read from the stored message. */
  async #answered(turnId: string): Promise<{ source: 'reflex' | 'shadow'; name?: string; prompt: string; threadId: string } | undefined> {
    const known = this.#answeredBy.get(turnId);
    if (known) return known;
    let turn: { thread_id: string };
    try {
      turn = await this.#kernel.store.op('turns.get', { id: turnId });
    } catch {
      return undefined;
    }
    const rows = (await this.#kernel.store.listMessages(turn.thread_id, 1000)).filter((m) => m.turn_id === turnId);
    const answer = rows.find((m) => m.source);
    const prompt = rows.find((m) => m.role === 'user')?.content;
    if (!answer?.source || !prompt) return undefined;
    const reflex = /^reflex:([\w-]+)@/.exec(answer.source);
    return { source: reflex ? 'reflex' : 'shadow', name: reflex?.[1], prompt, threadId: turn.thread_id };
  }

  /** "Ask the model instead": counts against the reflex, then the same request goes to the model in the same thread. */
  async askModelInstead(agent: Agent, userId: string, turnId: string): Promise<{ turnId: string; threadId: string; rejected?: string }> {
    const answered = await this.#answered(turnId);
    if (!answered) throw new TitanError('TITAN_E_NOT_FAST_ANSWER', `turn ${turnId} was not answered by a reflex or the shadow cache`);
    // The thread must be the caller's before anything is counted.
    await this.#kernel.store.op('threads.get', { userId, threadId: answered.threadId });
    this.#answeredBy.set(turnId, answered);
    const rejected = await this.reject(turnId);
    const sent = await agent.send(userId, answered.threadId, answered.prompt, { modelOnly: true });
    return { turnId: sent.turnId, threadId: answered.threadId, rejected: rejected.reflex };
  }

  /**
   * "Ask the model instead" for a turn a reflex or the shadow cache answered: counts against the
   * reflex (enough rejections suspend it). Returns the prompt and thread to send to the model.
   */
  async reject(turnId: string): Promise<{ prompt: string; threadId: string; reflex?: string }> {
    const answered = this.#answeredBy.get(turnId);
    if (!answered) throw new TitanError('TITAN_E_NOT_FAST_ANSWER', `turn ${turnId} was not answered by a reflex or the shadow cache in this run of the kernel`);
    this.#answeredBy.delete(turnId);
    if (answered.source === 'reflex' && answered.name) {
      const record = this.#records.get(answered.name);
      if (record) {
        record.rejections++;
        // Two rejections, or one in twenty answers, whichever is more: the reflex is not trusted.
        if (record.state === 'serving' && record.rejections >= Math.max(2, Math.ceil(record.hits / 20))) {
          await this.#suspend(record, `the user asked the model instead ${record.rejections} times`);
        } else await this.#persist(record);
      }
    }
    return { prompt: answered.prompt, threadId: answered.threadId, reflex: answered.name };
  }

  /** Which reflex answered a turn in this run, if one did. */
  answeredBy(turnId: string): { source: 'reflex' | 'shadow'; name?: string } | undefined {
    const found = this.#answeredBy.get(turnId);
    return found && { source: found.source, name: found.name };
  }

  // ---- by hand -----------------------------------------------------------------------------

  async suspend(name: string, why = 'suspended by hand'): Promise<ReflexRecord> {
    const record = this.get(name);
    if (record.state !== 'serving') throw new TitanError('TITAN_E_REFLEX_STATE', `reflex ${record.name} is ${record.state}, not serving`);
    await this.#suspend(record, why);
    return record;
  }

  async resume(name: string): Promise<ReflexRecord> {
    const record = this.get(name);
    if (record.state !== 'suspended') throw new TitanError('TITAN_E_REFLEX_STATE', `reflex ${record.name} is ${record.state}, not suspended`);
    if (this.#kernel.serving('reflex', record.name)?.version !== record.version) {
      throw new TitanError('TITAN_E_REFLEX_STATE', `reflex ${record.name}@${record.version} is not deployed`, {
        fix: 'deploy its patch first (titan kernel patches)',
      });
    }
    // Resuming is the owner's decision to trust the tools as they are now.
    record.tools = toolDigests(this.#kernel, record.spec);
    record.state = 'serving';
    record.reason = null;
    record.rejections = 0;
    this.#consecutiveMisses.delete(record.name);
    await this.#save(record);
    return record;
  }

  async delete(name: string): Promise<ReflexRecord> {
    const record = this.get(name);
    this.#records.delete(record.name);
    this.#refresh();
    await deleteRecord(this.#kernel.store, record.id);
    // Yanked, so the update watcher never proposes it again; the slot is no longer asked.
    if (record.version) {
      await this.#kernel.registry.yank({ kind: 'reflex', name: record.name, version: record.version }, 'reflex deleted').catch(() => {});
    }
    this.emit('changed', { ...record, state: 'discarded', reason: 'deleted' });
    return record;
  }

  // ---- mining and compiling ------------------------------------------------------------------

  /** At most one run per mineDelayMs however many turns complete (a busy kernel still mines). */
  #scheduleMine(): void {
    if (this.#closed || this.#mineTimer) return;
    this.#mineTimer = setTimeout(() => {
      this.#mineTimer = undefined;
      void this.mine().catch((error: unknown) => this.#log('warn', `mining failed: ${(error as Error).message}`));
    }, this.#options.mineDelayMs ?? 200);
    this.#mineTimer.unref?.();
  }

  /** Mines the recent turns and compiles what became eligible. One run at a time; a request during a run runs again after it. */
  mine(): Promise<void> {
    if (this.#mining) {
      this.#mineAgain = true;
      return this.#mining;
    }
    this.#mining = (async () => {
      do {
        this.#mineAgain = false;
        await this.#mineOnce();
      } while (this.#mineAgain && !this.#closed);
    })().finally(() => (this.#mining = undefined));
    return this.#mining;
  }

  async #mineOnce(): Promise<void> {
    const turns = await observedTurns(this.#kernel.store);
    const config = this.#config.reflexes;
    // One embedder per run; one that switched source mid-run (a mesh peer failed) runs again on its fallback.
    const embedder = this.embedder.forRun?.() ?? this.embedder;
    const schemas = Object.fromEntries(((await this.#options.tools?.list()) ?? []).map((t) => [t.name, t.schema]));
    const mine = () => minePatterns(turns, { embedder, minSupport: config.minSupport, similarity: config.similarity, schemas });
    const patterns = await mine().catch((error: unknown) => {
      if (error instanceof EmbedderSwitched) return mine();
      throw error;
    });
    const byId = new Map(turns.map((t) => [t.turnId, t]));
    const work: Array<{ pattern: MinedPattern; existing: ReflexRecord | undefined }> = [];
    for (const pattern of patterns) {
      if (pattern.skipped) continue;
      const existing = [...this.#records.values()].find((r) => r.spec.provenance.key === pattern.key);
      if (existing && !this.#shouldRecompile(existing, pattern)) continue;
      work.push({ pattern, existing });
    }
    // A pattern with no reflex yet saves more model calls than a serving one that learned a new
    // phrasing: new ones first, the most frequent first.
    work.sort((a, b) => Number(a.existing !== undefined) - Number(b.existing !== undefined) || b.pattern.support - a.pattern.support);
    const next = async (): Promise<void> => {
      for (let item = work.shift(); item && !this.#closed; item = work.shift()) {
        const eligibleAt = performance.now();
        this.emit('eligible', item.pattern.key, eligibleAt);
        // One pattern that fails (a store error, a kernel refusal) never stops the others.
        await compilePattern(
          this.#pipeline,
          item.pattern,
          item.pattern.spec.provenance.turns.map((id) => byId.get(id)!),
          item.existing,
          eligibleAt,
        ).catch((error: unknown) => this.#log('warn', `pattern ${item.pattern.key}: ${(error as Error).message}`));
      }
    };
    await Promise.all(Array.from({ length: COMPILES_AT_ONCE }, next));
  }

  /** A discarded pattern is tried again once its support doubled; a serving one when it learned new phrasings. */
  #shouldRecompile(record: ReflexRecord, pattern: MinedPattern): boolean {
    if (record.state === 'discarded') return record.reason === INTERRUPTED || pattern.support >= 2 * record.spec.examples.length;
    if (record.state !== 'serving') return false;
    const known = new Set(record.spec.templates.map((t) => t.join(' ')));
    return pattern.spec.templates.some((t) => !known.has(t.join(' ')));
  }

  /** A human approved a reflex patch that waited: deploy it now. */
  async #onPatch(id: string, state: string): Promise<void> {
    if (state !== 'approved') return;
    let patch: Patch;
    try {
      patch = this.#kernel.patches.get(id);
    } catch {
      return;
    }
    const record = this.#records.get(patch.name);
    if (patch.kind !== 'reflex' || !record || record.state !== 'awaiting_approval' || record.version !== patch.toVersion) return;
    await deployReflex(this.#pipeline, record, id).catch((error: unknown) => this.#log('warn', `reflex ${record.name}: ${(error as Error).message}`));
  }

  /** A tool a reflex calls now serves another version: the reflex's plan may no longer hold. */
  async #onDeployed(slot: string, version: string, digest: string): Promise<void> {
    if (!slot.startsWith('tool/')) return;
    const tool = slot.slice('tool/'.length);
    for (const record of this.#records.values()) {
      const known = record.tools[tool];
      if (record.state === 'serving' && known && known !== digest) await this.#suspend(record, `tool ${tool} changed version (now ${version})`);
    }
  }

  // ---- background check against the model ---------------------------------------------------

  #maybeCheck(record: ReflexRecord, prompt: string, answer: string): void {
    const rate = this.#config.reflexes.checkRate;
    if (!this.#options.llm || rate <= 0) return;
    // Deterministic sampling: every round(1/rate)-th answer of the reflex, starting with the first.
    const every = Math.max(1, Math.round(1 / rate));
    if ((record.hits - 1) % every !== 0) return;
    const llm = this.#options.llm;
    const run = async () => {
      const toolList = (await this.#options.tools?.list()) ?? [];
      const model = await askModel(llm, toolList, (name, input) => this.#kernel.call('tool', name, 'invoke', [input]) as Promise<string>, prompt);
      if (model === undefined) return;
      this.counters.checks++;
      if (!agrees(answer, model)) {
        this.counters.disagreements++;
        if (record.state === 'serving')
          await this.#suspend(record, `the model answered "${model.slice(0, 120)}" where the reflex answered "${answer.slice(0, 120)}"`);
      }
    };
    void run().catch((error: unknown) => this.#log('warn', `reflex ${record.name}: background check failed: ${(error as Error).message}`));
  }

  // ---- records -------------------------------------------------------------------------------

  async #suspend(record: ReflexRecord, why: string): Promise<void> {
    record.state = 'suspended';
    record.reason = why;
    record.suspensions++;
    this.#log('warn', `reflex ${record.name} suspended: ${why}`);
    await this.#save(record);
  }

  /**
   * The record as it is now, in memory at once (the fast path follows it) and in the store; a
   * store that refuses the write is retried with the next counter flush, and nothing else fails.
   */
  async #save(record: ReflexRecord): Promise<void> {
    this.#dirty.delete(record);
    record.updatedAt = Date.now();
    this.#records.set(record.name, record);
    this.#refresh();
    this.emit('changed', record);
    try {
      await saveRecord(this.#kernel.store, record);
    } catch (error) {
      this.#log('warn', `reflex ${record.name}: not saved, retried shortly: ${(error as Error).message}`);
      void this.#persist(record);
    }
  }

  /** Counters only: written off the answer path, at most once a second for all reflexes. */
  async #persist(record: ReflexRecord): Promise<void> {
    this.#dirty.add(record);
    this.#flushTimer ??= setTimeout(() => void this.flushCounters(), COUNTER_FLUSH_MS);
    this.#flushTimer.unref?.();
  }

  async flushCounters(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    for (const record of dirty) {
      await saveRecord(this.#kernel.store, record).catch((error: unknown) =>
        this.#log('warn', `reflex ${record.name}: counters not saved: ${(error as Error).message}`),
      );
    }
  }

  #refresh(): void {
    this.#serving = [...this.#records.values()].filter((r) => r.state === 'serving');
  }

  #log(level: 'info' | 'warn', message: string): void {
    this.#kernel.logger[level]({ component: 'reflex' }, message);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#mineTimer);
    for (const off of this.#offs) off();
    await this.flushCounters();
    this.shadow?.close();
    await this.#mining?.catch(() => {});
    this.#replay.close();
  }
}
