// Whether the database takes Titan's writes right now, as the statements themselves found out: a
// lost connection stands until any statement succeeds again; a full disk until a write succeeds,
// or until no write has failed for a while (reads keep working on a full disk, so they prove
// nothing; a later write that fails reports it again). /api/ready reads this.
import type { ErrorCode } from '../../common/errors.ts';
import type { SqlFailure } from './sql-errors.ts';

export type StorageProblem = { code: Extract<ErrorCode, 'TITAN_E_DB_UNAVAILABLE' | 'TITAN_E_DISK_FULL'>; reason: string; since: number };

/** A full disk reported by a write this long ago, with no failure since, is no longer assumed. */
const DISK_FULL_STANDS_MS = 15_000;

export class StorageHealth {
  #problem: StorageProblem | undefined;
  #lastFailure = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** What is wrong with the database now, or undefined when it serves. */
  get problem(): StorageProblem | undefined {
    const problem = this.#problem;
    if (problem?.code === 'TITAN_E_DISK_FULL' && this.#now() - this.#lastFailure > DISK_FULL_STANDS_MS) this.#problem = undefined;
    return this.#problem;
  }

  /** A statement failed after its retries. Only failures of the database itself count. */
  failed(failure: SqlFailure): void {
    let code: StorageProblem['code'];
    if (failure.diskFull) code = 'TITAN_E_DISK_FULL';
    else if (failure.tag === 'connection') code = 'TITAN_E_DB_UNAVAILABLE';
    else return;
    this.#lastFailure = this.#now();
    if (this.#problem?.code !== code) this.#problem = { code, reason: failure.message, since: this.#lastFailure };
  }

  /** A statement succeeded: a lost connection is back; a write also proves the disk has room. */
  succeeded(write: boolean): void {
    if (this.#problem && (write || this.#problem.code === 'TITAN_E_DB_UNAVAILABLE')) this.#problem = undefined;
  }
}
