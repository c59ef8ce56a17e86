// "Who changed it": the commits that touched a file's lines (git blame: who owns each line now; git
// log -L: the range's earlier changes) or the file (git log), with author, date and subject, read
// with the git CLI from a workspace that is a git repository. Bounded
// (a time limit and an output cap per git run, a cap on lines and commits) and cached: an answer is
// kept until the file or the repository's HEAD or index changes (checked by stat, no git run).
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';

export type Commit = {
  commit: string;
  author: string;
  email: string;
  /** ISO 8601, the author's date. */
  date: string;
  subject: string;
  /** The file's lines (1-based, as the file is now) this commit last changed; empty for a file's log, or when later commits changed them all again. */
  lines: number[];
};
/** The history of one definition (from the code graph) or one file. */
export type SymbolHistory = {
  /** The symbol's qualified name, or empty for a whole file. */
  symbol: string;
  kind: string;
  path: string;
  line?: number;
  endLine?: number;
  commits: Commit[];
  /** Lines edited since the last commit (nobody committed them yet). */
  uncommittedLines: number[];
};
export type Changes = { path: string; from?: number; to?: number; commits: Commit[]; uncommittedLines: number[] };

const RUN_TIMEOUT_MS = 3000;
const MAX_OUTPUT = 2 * 1024 * 1024;
const MAX_LINES = 2000;
const MAX_COMMITS = 50;
const CACHE_ENTRIES = 500;
const ZERO = /^0{40}$/;
// The repository's own configuration may name programs (fsmonitor, textconv, external diff, filters:
// see #noFilters); none of them runs here.
const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external='];

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE, ...args],
      { cwd, timeout: RUN_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' } },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                String(stderr || error.message)
                  .trim()
                  .split('\n')[0],
              ),
            )
          : resolve(stdout),
    );
  });
}

const LOG_FORMAT = '%x1e%H%x1f%an%x1f%ae%x1f%at%x1f%s';

/** git log with LOG_FORMAT: one commit per record (a record starts with \x1e), newest first. */
export function parseLog(text: string): Commit[] {
  return text
    .split('\x1e')
    .map((record) => record.split('\n')[0])
    .filter((line) => line.includes('\x1f'))
    .map((line) => {
      const [hash, author, email, time, subject] = line.split('\x1f');
      return { commit: hash.slice(0, 12), author, email, date: new Date(Number(time) * 1000).toISOString(), subject, lines: [] };
    });
}

/** git blame --porcelain: each commit once with its details, and the final line numbers it owns. */
export function parseBlame(text: string): { commits: Commit[]; uncommittedLines: number[] } {
  const byHash = new Map<string, Commit & { time: number }>();
  const uncommitted: number[] = [];
  let current: (Commit & { time: number }) | undefined;
  let hash = '';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]{40}) \d+ (\d+)/.exec(line);
    if (head) {
      hash = head[1];
      const final = Number(head[2]);
      if (ZERO.test(hash)) {
        uncommitted.push(final);
        current = undefined;
        continue;
      }
      current = byHash.get(hash);
      if (!current) byHash.set(hash, (current = { commit: hash.slice(0, 12), author: '', email: '', date: '', subject: '', lines: [], time: 0 }));
      current.lines.push(final);
    } else if (current && !line.startsWith('\t')) {
      const space = line.indexOf(' ');
      const key = line.slice(0, space);
      const value = line.slice(space + 1);
      if (key === 'author') current.author = value;
      else if (key === 'author-mail') current.email = value.replace(/^<|>$/g, '');
      else if (key === 'author-time') {
        current.time = Number(value);
        current.date = new Date(current.time * 1000).toISOString();
      } else if (key === 'summary') current.subject = value;
    }
  }
  const commits = [...byHash.values()].sort((a, b) => b.time - a.time || (a.commit < b.commit ? -1 : 1)).map(({ time: _time, ...c }) => c);
  return { commits, uncommittedLines: uncommitted };
}

/** The git history of one workspace, or undefined when it is not inside a git repository (or git is missing). */
export class GitHistory {
  readonly root: string;
  readonly #gitDir: string;
  readonly #cache = new Map<string, { version: string; value: Changes }>();

  private constructor(root: string, gitDir: string) {
    this.root = root;
    this.#gitDir = gitDir;
  }

  static async open(root: string): Promise<GitHistory | undefined> {
    try {
      const dir = (await git(root, ['rev-parse', '--absolute-git-dir'])).trim();
      return dir ? new GitHistory(root, dir) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Blame reads the working tree, where git would run the repository's filter commands (clean,
   * process) on the file. Whoever can write the workspace (the sandboxed shell mounts it) can write
   * .git/config: every configured filter is turned off for the run, so nothing runs on the host.
   */
  async #noFilters(): Promise<string[]> {
    const names = await git(this.root, ['config', '--name-only', '--get-regexp', '^filter\\.']).catch(() => '');
    const drivers = new Set(names.split('\n').flatMap((key) => /^filter\.(.+)\.[^.]+$/.exec(key.trim())?.[1] ?? []));
    return [...drivers].flatMap((d) => [
      '-c',
      `filter.${d}.clean=`,
      '-c',
      `filter.${d}.process=`,
      '-c',
      `filter.${d}.smudge=`,
      '-c',
      `filter.${d}.required=false`,
    ]);
  }

  /** What a cached answer depends on: the file, and where HEAD and the index are (a commit, checkout or reset moves them). */
  async #version(file: string): Promise<string> {
    const marks = await Promise.all(
      [path.join(this.root, file), path.join(this.#gitDir, 'HEAD'), path.join(this.#gitDir, 'index'), path.join(this.#gitDir, 'logs', 'HEAD')].map((p) =>
        stat(p).then(
          (s) => `${s.mtimeMs}:${s.size}`,
          () => '-',
        ),
      ),
    );
    return marks.join('/');
  }

  async #cached(key: string, file: string, read: () => Promise<Changes>): Promise<Changes> {
    const version = await this.#version(file);
    const hit = this.#cache.get(key);
    if (hit?.version === version) {
      // Most recently used last: the oldest is dropped first.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit.value;
    }
    const value = await read();
    this.#cache.set(key, { version, value });
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    return value;
  }

  #check(file: string): string {
    const clean = file.replace(/^\.\//, '');
    if (!clean || path.isAbsolute(clean) || clean.split('/').includes('..') || clean.startsWith('-'))
      throw new TitanError('TITAN_E_CODE_QUERY', `${JSON.stringify(file)} is not a path inside the workspace`);
    return clean;
  }

  /** The commits that last changed lines from..to of a file (as it is now, uncommitted edits included), newest first. */
  async lines(file: string, from: number, to: number, limit = 10): Promise<Changes> {
    const clean = this.#check(file);
    const start = Math.max(1, Math.floor(from));
    const end = Math.min(Math.max(start, Math.floor(to)), start + MAX_LINES - 1);
    const max = Math.min(Math.max(1, limit), MAX_COMMITS);
    return this.#cached(`L\u0000${clean}\u0000${start}\u0000${end}\u0000${max}`, clean, async () => {
      let text: string;
      try {
        text = await git(this.root, [...(await this.#noFilters()), 'blame', '--porcelain', '--no-textconv', '-L', `${start},${end}`, '--', clean]);
      } catch {
        return { path: clean, from: start, to: end, commits: [], uncommittedLines: [] }; // not tracked, or lines past its end
      }
      const { commits, uncommittedLines } = parseBlame(text);
      // Blame names the last commit of each line; the log of the range also names earlier commits
      // whose lines were changed again since. Its line numbers are HEAD's: only when the file has no
      // uncommitted edit in the range do they match.
      const earlier = uncommittedLines.length === 0 ? await this.#rangeLog(clean, start, end, max) : [];
      const owned = new Map(commits.map((c) => [c.commit, c]));
      const merged = earlier.length ? earlier.map((c) => owned.get(c.commit) ?? c) : commits;
      for (const c of commits) if (!merged.includes(c)) merged.push(c);
      return { path: clean, from: start, to: end, commits: merged.slice(0, max), uncommittedLines };
    });
  }

  /** Every commit that changed lines start..end (git log -L, following them back through history), newest first; none when git fails. */
  async #rangeLog(file: string, start: number, end: number, max: number): Promise<Commit[]> {
    const text = await git(this.root, ['log', `-L${start},${end}:${file}`, '-s', `-n${max}`, '--no-textconv', `--format=${LOG_FORMAT}`]).catch(() => '');
    return parseLog(text);
  }

  /** The latest commits that changed a file, newest first. */
  async file(file: string, limit = 10): Promise<Changes> {
    const clean = this.#check(file);
    const max = Math.min(Math.max(1, limit), MAX_COMMITS);
    return this.#cached(`F\u0000${clean}\u0000${max}`, clean, async () => {
      const text = await git(this.root, ['log', `-n${max}`, '--no-textconv', `--format=${LOG_FORMAT}`, '--', clean]).catch(() => '');
      return { path: clean, commits: parseLog(text), uncommittedLines: [] };
    });
  }
}
