// The code graph of one source tree: indexes it (only files whose content changed are parsed again),
// keeps its facts in the database, and answers callers, callees, definitions and neighbourhoods from
// the graph in memory.
import { watch as watchTree, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TitanError } from '../../../common/errors.ts';
import type { SqlBackend } from '../../../host-api/db/backend.ts';
import type { FileFacts } from './facts.ts';
import { GitHistory } from '../git-history.ts';
import { CodeGraphIndex, type CodeSymbol } from './graph.ts';
import { history, type SymbolHistory } from './history.ts';
import { picture, type Picture } from './picture.ts';
import { parseFacts } from './parse.ts';
import type { PeerOffloadSummary } from '../peer-offload.ts';
import type { PeerParsing } from './peer-parse.ts';
import * as queries from './queries.ts';
import { type Candidate, candidates, pathCandidates, readSource } from './scan.ts';
import { CodeGraphStore, type FileRecord } from './store.ts';

export type IndexProgress = { done: number; total: number; path: string };
export type IndexReport = {
  root: string;
  files: number;
  parsed: number;
  unchanged: number;
  removed: number;
  partial: Array<{ path: string; reason: string }>;
  skipped: Array<{ path: string; reason: string }>;
  ms: number;
};
/** What is indexed, what was skipped and why, and the stored row counts (`titan code-graph status`). */
export type CodeGraphStatus = {
  root: string;
  files: number;
  indexed: number;
  partial: number;
  skipped: Array<{ path: string; reason: string }>;
  rows: Record<string, number>;
  mesh?: PeerOffloadSummary;
};
export type IndexOptions = { onProgress?: (p: IndexProgress) => void; maxFileBytes?: number };

/** Files written per transaction: a crash loses at most this much progress, never leaves a half file. */
const FILES_PER_WRITE = 100;
const MAX_QUERY = 512;
/** Files looked at ahead of the run for mesh peers to parse. */
const PEER_WINDOW = 32;
const WATCH_SETTLE_MS = 200;
/** A workspace that is not a git repository is asked again after this long (it may become one). */
const GIT_RECHECK_MS = 30_000;

/** The workspace's git history as last looked for (missing: not a repository then). */
type GitLookup = { at: number; history: Promise<GitHistory | undefined>; missing?: boolean };

function checkQuery(text: string): string {
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_QUERY) {
    throw new TitanError(
      'TITAN_E_CODE_QUERY',
      `a symbol or path of 1-${MAX_QUERY} characters is required (got ${typeof text === 'string' ? `${text.length} characters` : typeof text})`,
    );
  }
  return text.trim();
}

export class CodeGraph {
  readonly root: string;
  readonly #store: CodeGraphStore;
  readonly #index = new CodeGraphIndex();
  #records = new Map<string, FileRecord>();
  #running: Promise<unknown> = Promise.resolve();
  /** Set by stop(): an index run ends after the file it is on (the rest is indexed by the next run). */
  #stopping = false;
  #git: GitLookup | undefined;
  /** Mesh peers that parse batches of changed files ahead of the run (set by startCodeGraph). */
  peers: PeerParsing | undefined;

  readonly #maxFileBytes: number | undefined;

  private constructor(db: SqlBackend, root: string, maxFileBytes: number | undefined) {
    this.root = root;
    this.#store = new CodeGraphStore(db, root);
    this.#maxFileBytes = maxFileBytes;
  }

  /** The graph of `root` as last stored (empty if never indexed); call index() to bring it up to date. */
  static async open(db: SqlBackend, root: string, options: { maxFileBytes?: number } = {}): Promise<CodeGraph> {
    const absolute = resolve(root);
    const info = await stat(absolute).catch(() => null);
    if (!info?.isDirectory()) throw new TitanError('TITAN_E_CODE_ROOT', `${absolute} is not a readable directory`);
    const graph = new CodeGraph(db, absolute, options.maxFileBytes);
    graph.#records = await graph.#store.files();
    for (const facts of await graph.#store.load()) graph.#index.set(facts);
    return graph;
  }

  /** Ends index runs at the next file: the kernel is stopping, and a whole tree must not hold it up. */
  stop(): void {
    this.#stopping = true;
  }

  /** Brings the graph up to date with the tree (or with just `paths`): changed files are parsed again. */
  index(options: IndexOptions & { paths?: string[] } = {}): Promise<IndexReport> {
    const run = this.#running.then(() => this.#indexNow(options));
    this.#running = run.catch(() => {});
    return run;
  }

  async #indexNow(options: IndexOptions & { paths?: string[] }): Promise<IndexReport> {
    const started = performance.now();
    const maxBytes = options.maxFileBytes ?? this.#maxFileBytes;
    const wanted = options.paths ? new Set(options.paths.map((p) => this.#relative(p))) : null;
    // Changed paths (a watch) are looked at one by one; otherwise the whole tree is walked.
    const work = wanted ? await pathCandidates(this.root, [...wanted]) : await candidates(this.root);
    const present = new Set(work.map((c) => c.path));
    const removed = [...this.#records.keys()].filter((p) => !present.has(p) && (!wanted || wanted.has(p)));
    const files = wanted ? this.#records.size - removed.length + work.filter((c) => !this.#records.has(c.path)).length : work.length;
    const report: IndexReport = { root: this.root, files, parsed: 0, unchanged: 0, removed: removed.length, partial: [], skipped: [], ms: 0 };
    let pending: Array<{ record: FileRecord; facts: FileFacts | null }> = [];
    const flush = async (drop: string[] = []) => {
      if (pending.length === 0 && drop.length === 0) return;
      await this.#store.write(pending, drop);
      for (const { record, facts } of pending) {
        this.#records.set(record.path, record);
        if (facts) this.#index.set(facts);
        else this.#index.remove(record.path);
      }
      for (const path of drop) {
        this.#records.delete(path);
        this.#index.remove(path);
      }
      pending = [];
    };
    await flush(removed);
    for (let i = 0; i < work.length; i++) {
      if (this.#stopping) break;
      if (this.peers && i % PEER_WINDOW === 0) await this.peers.prefetch(work.slice(i, i + PEER_WINDOW), (path) => this.#records.get(path)?.digest, maxBytes);
      const change = await this.#examine(work[i], report, maxBytes);
      if (change) pending.push(change);
      if (pending.length >= FILES_PER_WRITE) await flush();
      options.onProgress?.({ done: i + 1, total: work.length, path: work[i].path });
    }
    await flush();
    for (const r of this.#records.values()) {
      if (r.status === 'skipped') report.skipped.push({ path: r.path, reason: r.reason ?? '' });
      if (r.status === 'partial') report.partial.push({ path: r.path, reason: r.reason ?? '' });
    }
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  /** The new record and facts of a file whose content changed; null when it did not. */
  async #examine(c: Candidate, report: IndexReport, maxBytes?: number): Promise<{ record: FileRecord; facts: FileFacts | null } | null> {
    const source = await readSource(c.absolute, maxBytes).catch((e: Error) => ({
      ok: false as const,
      digest: 'unreadable',
      bytes: 0,
      reason: `unreadable: ${e.message}`,
    }));
    const before = this.#records.get(c.path);
    if (before && before.digest === source.digest) {
      report.unchanged++;
      return null;
    }
    const base = { path: c.path, language: c.language, digest: source.digest, bytes: source.bytes, indexedAt: Date.now() };
    if (!source.ok) return { record: { ...base, lines: 0, status: 'skipped', reason: source.reason }, facts: null };
    try {
      const facts = this.peers?.take(c.path, source.digest) ?? (await parseFacts(c.path, c.language, source.text));
      report.parsed++;
      const status = facts.errors > 0 ? 'partial' : 'indexed';
      const reason = facts.errors > 0 ? `${facts.errors} syntax error(s); the rest of the file is indexed` : null;
      return { record: { ...base, lines: source.lines, status, reason }, facts };
    } catch (error) {
      // A grammar that fails on this file fails this file only.
      const reason = `${c.language} parser failed: ${(error as Error).message ?? String(error)}`;
      return { record: { ...base, lines: source.lines, status: 'skipped', reason }, facts: null };
    }
  }

  #relative(path: string): string {
    const rel = isAbsolute(path) ? relative(this.root, path) : path;
    return rel.split(sep).join('/');
  }

  /** Re-indexes files as they change on disk (debounced); returns the watcher to close. */
  watch(onIndexed?: (report: IndexReport) => void, onError?: (error: Error) => void): FSWatcher {
    const changed = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const watcher = watchTree(this.root, { recursive: true }, (_event, name) => {
      if (!name) return;
      changed.add(String(name));
      clearTimeout(timer);
      timer = setTimeout(() => {
        const paths = [...changed];
        changed.clear();
        this.index({ paths }).then(onIndexed, (e: Error) => onError?.(e));
      }, WATCH_SETTLE_MS);
    });
    watcher.on('close', () => clearTimeout(timer));
    return watcher;
  }

  definitions(name: string): CodeSymbol[] {
    return queries.definitions(this.#index, checkQuery(name));
  }

  callers(symbol: string): queries.CallSite[] {
    return queries.callers(this.#index, checkQuery(symbol));
  }

  callees(symbol: string): queries.CallSite[] {
    return queries.callees(this.#index, checkQuery(symbol));
  }

  /** Ranked definitions and files around a file (relative path) or a symbol. */
  neighbourhood(target: string, options: queries.NeighbourhoodOptions = {}): queries.Related[] {
    const text = checkQuery(target);
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new TitanError('TITAN_E_CODE_QUERY', `limit must be 1-500 (got ${limit})`);
    return queries.neighbourhood(this.#index, this.#index.files.has(this.#relative(text)) ? this.#relative(text) : text, options);
  }

  /** The nodes and edges around a symbol or file, for a picture (at most `limit` related nodes, and their files). */
  picture(target: string, limit = 40): Picture {
    const text = checkQuery(target);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new TitanError('TITAN_E_CODE_QUERY', `limit must be 1-200 for a picture (got ${limit})`);
    const file = this.#relative(text);
    return picture(this.#index, this.#index.files.has(file) ? file : text, limit);
  }

  /** Who changed a symbol's lines (each definition of the name) or a file, from git, newest commit first. */
  async history(target: string, limit = 10): Promise<SymbolHistory[]> {
    const text = checkQuery(target);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new TitanError('TITAN_E_CODE_QUERY', `limit must be 1-50 for history (got ${limit})`);
    const now = Date.now();
    if (!this.#git || (this.#git.missing && now - this.#git.at > GIT_RECHECK_MS)) {
      const asked: GitLookup = { at: now, history: GitHistory.open(this.root) };
      void asked.history.then((h) => (asked.missing = h === undefined));
      this.#git = asked;
    }
    const file = this.#relative(text);
    return this.#git.history.then((git) => history(this.#index, git, this.#index.files.has(file) ? file : text, limit));
  }

  /** Ranked by personalised PageRank from several symbols or files at once (those in play in a turn). */
  rankAround(targets: string[], options: queries.NeighbourhoodOptions = {}): queries.Related[] {
    const seeds = targets.flatMap((t) => (this.#index.files.has(t) ? [t] : queries.definitions(this.#index, t).map((d) => d.id)));
    return queries.rankAround(this.#index, seeds, options);
  }

  /** What is indexed, what was skipped and why, and the stored row counts. */
  async status(): Promise<CodeGraphStatus> {
    const records = [...this.#records.values()];
    return {
      root: this.root,
      files: records.length,
      indexed: records.filter((r) => r.status === 'indexed').length,
      partial: records.filter((r) => r.status === 'partial').length,
      skipped: records.filter((r) => r.status === 'skipped').map((r) => ({ path: r.path, reason: r.reason ?? '' })),
      rows: await this.#store.counts(),
      ...(this.peers ? { mesh: this.peers.account.summary() } : {}),
    };
  }

  /** The graph in memory, for the benchmarks and the web UI picture. */
  get graphIndex(): CodeGraphIndex {
    return this.#index;
  }
}
