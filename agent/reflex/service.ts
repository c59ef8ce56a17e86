// Reflexes, end to end: after completed model turns the mining runs (mining.ts) look for recurring
// patterns; an eligible one is compiled, guarded and deployed through the patch queue
// (pipeline.ts). This service keeps the records: in service, the fast path asks the serving
// reflexes, then the shadow cache (shadow-setup.ts); rejections, misses, a tool's new version and
// a disagreement with the model (checked on a background sample) suspend a reflex.
import { EventEmitter } from 'node:events';
import { TitanError } from '../../common/errors.ts';
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Agent } from '../loop/agent.ts';
import { toChatMessages } from '../loop/history.ts';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Patch } from '../../kernel/patches.ts';
import { AnsweredTurns } from './answered-turns.ts';
import { answerTimings, timingsFor } from './answer-timings.ts';
import { checkAnswer, sampled } from './check.ts';
import { localEmbedder, type Embedder } from './embedder.ts';
import { embedderFor } from './embedder-choice.ts';
import type { AgentPorts } from '../ports.ts';
import { INTERRUPTED, MiningRuns } from './mining.ts';
import { deployReflex, toolDigests, warmReflex, type PipelineDeps } from './pipeline.ts';
import { deleteRecord, loadRecords, saveRecord, type ReflexRecord } from './records.ts';
import { Repeats } from './repeats.ts';
import { askReflexes, type FastResult } from './router.ts';
import type { ShadowWorkers } from './shadow.ts';
import { shadowSummary, shadowWorkersFor, type ShadowModel, type ShadowSummary } from './shadow-setup.ts';
import { ToolReplay } from './tool-replay.ts';
import { reflexesSection, shadowSection, type ReflexConfigs } from './config.ts';

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
/** The name a request asked again (repeats.ts) answers under: no reflex is ever named so (theirs start "reflex-"). */
const REPEAT = 'repeat';
const COUNTER_FLUSH_MS = 1000;

export class ReflexService extends EventEmitter<ReflexEvents> {
  readonly #kernel: Kernel;
  readonly #options: ReflexServiceOptions;
  readonly #config: ReflexConfigs;
  readonly #records = new Map<string, ReflexRecord>();
  readonly #replay: ToolReplay;
  readonly embedder: Embedder;
  readonly shadow: ShadowWorkers | undefined;
  /** Which model the shadow workers spend: the background one, the main one within its small budget, or none. */
  readonly shadowModel: ShadowModel;
  #serving: ReflexRecord[] = [];
  readonly #mining: MiningRuns;
  #consecutiveMisses = new Map<string, number>();
  readonly #dirty = new Set<ReflexRecord>();
  #flushTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #offs: Array<() => void> = [];
  /** Turn id -> the reflex (or shadow) that answered it, for "ask the model instead". */
  readonly #answeredBy: AnsweredTurns;
  readonly counters = { modelCallsAvoided: 0, shadowHits: 0, repeats: 0, checks: 0, disagreements: 0 };
  /** The same request asked again in a thread (repeats.ts); none without the tool catalog. */
  readonly #repeats: Repeats | undefined;
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
    this.#answeredBy = new AnsweredTurns(kernel.store);
    this.#repeats = options.tools && this.#config.reflexes.repeats ? new Repeats(kernel, options.tools, (m) => this.#log('warn', m)) : undefined;
    this.#mining = new MiningRuns({
      kernel,
      config: this.#config.reflexes,
      embedder: this.embedder,
      tools: options.tools,
      pipeline: this.#pipeline,
      delayMs: options.mineDelayMs ?? 200,
      records: () => this.#records.values(),
      eligible: (key, at) => this.emit('eligible', key, at),
      log: (level, message) => this.#log(level, message),
    });
    const shadow = shadowWorkersFor(kernel, this.#config.shadow, { ...options, embedder: this.embedder });
    this.shadowModel = shadow.model;
    this.shadow = shadow.workers;
  }

  /** The embedder the configuration names (embedder-choice.ts). */
  static embedderFor = embedderFor;

  async start(): Promise<void> {
    for (const record of await loadRecords(this.#kernel.store)) this.#records.set(record.name, await this.#reconcile(record));
    this.#refresh();
    // Serving reflexes are warmed before the first request (in the background, one at a time).
    void (async () => {
      for (const record of this.#serving) if (!this.#closed) await warmReflex(this.#kernel, record, !this.#options.generate);
    })();
    const bus = this.#kernel.bus;
    this.#offs.push(
      bus.on('turn.event', (event) => {
        if (event.type === 'tool.started') this.#repeats?.toolStarted(event.turnId);
        if (event.type !== 'turn.completed' || event.from !== 'model') return;
        this.#mining.schedule();
        if (this.shadow) void this.#predictAfter(event.threadId);
        void this.#repeats?.afterTurn(event.threadId, event.turnId);
      }),
    );
    this.#offs.push(bus.on('component.deployed', (event) => void this.#onDeployed(event.slot, event.version, event.digest)));
    this.#offs.push(bus.on('patch.changed', (event) => void this.#onPatch(event.id, event.state)));
  }

  /** The shadow workers' account: model requests spent against requests saved, and on which model. */
  shadowSummary(): ShadowSummary {
    return shadowSummary(this.shadowModel, this.shadow);
  }

  /** Requests kept to be answered again in their thread (repeats.ts). */ repeatsKept = (): number => this.#repeats?.size ?? 0;

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
    // The standard generated source runs on the host as well (router.ts); another source only in its component.
    const timings = timingsFor(input.turnId);
    const outcome = await askReflexes(this.#kernel, this.#serving, input.prompt, this.#config.reflexes.threshold, !this.#options.generate, timings);
    if (outcome.kind === 'hit') {
      const hitAt = performance.now();
      const record = outcome.record;
      record.hits++;
      record.modelCallsAvoided++;
      this.counters.modelCallsAvoided++;
      this.#consecutiveMisses.delete(record.name);
      this.#answeredBy.set(input.turnId, { source: 'reflex', name: record.name, prompt: input.prompt, threadId: input.threadId });
      this.emit('hit', record);
      void this.#persist(record);
      this.#maybeCheck(record, input.prompt, outcome.text);
      if (timings) answerTimings.publish({ ...timings, parts: { ...timings.parts, 'after the hit': performance.now() - hitAt } });
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
    const repeated = await this.#repeats?.answer(input.threadId, input.prompt).catch((error: unknown) => {
      notes.push(`the request asked before was not answered again (${(error as Error).message.slice(0, 200)}); the model answers`);
      return undefined;
    });
    if (repeated !== undefined) {
      this.counters.modelCallsAvoided++;
      this.counters.repeats++;
      this.#answeredBy.set(input.turnId, { source: 'reflex', name: REPEAT, prompt: input.prompt, threadId: input.threadId });
      return { answer: { source: 'reflex', text: repeated, marker: `reflex:${REPEAT}@1`, reflex: { name: REPEAT, version: '1', confidence: 1 } }, notes };
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

  /** "Ask the model instead": counts against the reflex, then the same request goes to the model in the same thread. */
  async askModelInstead(agent: Agent, userId: string, turnId: string): Promise<{ turnId: string; threadId: string; rejected?: string }> {
    const answered = await this.#answeredBy.find(turnId);
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
    // The user wants the model for this request: it is not answered again from the first answer.
    if (answered.name === REPEAT) this.#repeats?.forget(answered.threadId, answered.prompt);
    else if (answered.source === 'reflex' && answered.name) {
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

  /** Mines the recent turns and compiles what became eligible (one run at a time). */
  mine(): Promise<void> {
    return this.#mining.run();
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

  #maybeCheck(record: ReflexRecord, prompt: string, answer: string): void {
    const llm = this.#options.llm;
    if (!llm || !sampled(record.hits, this.#config.reflexes.checkRate)) return;
    const run = async () => {
      const tools = (await this.#options.tools?.list()) ?? [];
      const invoke = (name: string, input: string) => this.#kernel.call('tool', name, 'invoke', [input]) as Promise<string>;
      const checked = await checkAnswer(llm, tools, invoke, prompt, answer);
      if (!checked) return;
      this.counters.checks++;
      if (checked.agreed) return;
      this.counters.disagreements++;
      if (record.state === 'serving')
        await this.#suspend(record, `the model answered "${checked.model.slice(0, 120)}" where the reflex answered "${answer.slice(0, 120)}"`);
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
    for (const off of this.#offs) off();
    const mining = this.#mining.close();
    await this.flushCounters();
    this.shadow?.close();
    await mining;
    this.#replay.close();
  }
}
