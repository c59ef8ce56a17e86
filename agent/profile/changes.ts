// Every change Titan made to a profile file's managed section, kept as JSON lines in
// $TITAN_HOME/profile/changes.jsonl (outside the workspace: the model never reads it), and the
// write itself: only when the file still holds what the change was computed from, so a hand edit
// made meanwhile is never overwritten (the caller computes again from the new text).
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.ts';
import { TitanError } from '../../common/errors.ts';
import { readSection, withSection, type ProfileFile } from './sections.ts';

export type ProfileChange = {
  id: string;
  at: number;
  file: ProfileFile;
  /** The managed section's body before and after (null: no section). */
  before: string | null;
  after: string | null;
  /** synthesis, onboarding, or revert of another change. */
  reason: string;
  reverts?: string;
};

/** The file changed between reading it and writing it: the write was not made. */
export class EditedMeanwhile extends Error {}

export class ProfileFiles {
  readonly workspace: string;
  readonly #log: string;
  /** One write at a time, so each change's `before` is what the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(workspace: string, home: string) {
    this.workspace = workspace;
    this.#log = path.join(home, 'profile', 'changes.jsonl');
  }

  async read(file: ProfileFile): Promise<string> {
    return readFile(path.join(this.workspace, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
  }

  /**
   * Sets the managed section's body, if the file still reads `seen` (else EditedMeanwhile and no
   * write); records the change. Nothing is written when the body is already `body`.
   */
  write(file: ProfileFile, seen: string, body: string | null, reason: string, reverts?: string): Promise<ProfileChange | null> {
    const run = this.#queue.then(async () => {
      const now = await this.read(file);
      if (now !== seen) throw new EditedMeanwhile(`${file} was edited while Titan worked on it`);
      const before = readSection(now);
      if (before === body) return null;
      await mkdir(this.workspace, { recursive: true });
      await writeFileAtomic(path.join(this.workspace, file), withSection(now, body));
      const change: ProfileChange = { id: randomUUID(), at: Date.now(), file, before, after: body, reason, ...(reverts ? { reverts } : {}) };
      await mkdir(path.dirname(this.#log), { recursive: true });
      await appendFile(this.#log, `${JSON.stringify(change)}\n`, { mode: 0o600 });
      return change;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Every change, newest first. */
  async changes(): Promise<ProfileChange[]> {
    const text = await readFile(this.#log, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ProfileChange)
      .reverse();
  }

  /** Puts the section back as it was before change `id` (itself recorded as a change). */
  async revert(id: string): Promise<ProfileChange | null> {
    const change = (await this.changes()).find((c) => c.id === id);
    if (!change) throw new TitanError('TITAN_E_NOT_FOUND', `no profile change ${id}`, { fix: 'titan profile changes lists them' });
    const seen = await this.read(change.file);
    return this.write(change.file, seen, change.before, `revert of ${id}`, id);
  }
}
