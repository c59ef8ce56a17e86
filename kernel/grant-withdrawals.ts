// Inline grants the kernel withdrew: a component inline by grant that its slice of the kernel's
// thread stopped again and again (kernel.inlineGrantStops within kernel.inlineGrantStopMinutes)
// would stall every neighbour on each call, so it runs in a worker from then on, across restarts,
// until the owner grants it again (titan components regrant). Kept in $TITAN_HOME/grant-withdrawals.json.
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Deployment } from './deployment.ts';
import { slotKey } from './kinds.ts';
import type { Slot } from './slot.ts';

/** One withdrawn grant: the config entry, the version it stopped, when and why. */
export type Withdrawal = { grant: string; slot: string; version: string; digest: string; stops: number; at: string; reason: string };

type Limits = { inlineGrantStops: number; inlineGrantStopMinutes: number; inlineSliceMs: number };

export function withdrawalsFile(home: string): string {
  return path.join(home, 'grant-withdrawals.json');
}

export class GrantWithdrawals {
  readonly #file: string;
  readonly #withdrawn: Map<string, Withdrawal>;
  /** When each grant's recent stops happened (ms), oldest first; only those inside the window are kept. */
  readonly #stops = new Map<string, number[]>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string, withdrawn: Withdrawal[]) {
    this.#file = file;
    this.#withdrawn = new Map(withdrawn.map((w) => [w.grant, w]));
  }

  static async open(file: string): Promise<GrantWithdrawals> {
    const { withdrawn } = await readJsonFile<{ withdrawn: Withdrawal[] }>(file, { withdrawn: [] });
    return new GrantWithdrawals(file, withdrawn);
  }

  /** The withdrawal of this config entry, if the kernel withdrew it. */
  of(grant: string): Withdrawal | undefined {
    return this.#withdrawn.get(grant);
  }

  list(): Withdrawal[] {
    return [...this.#withdrawn.values()].sort((a, b) => a.slot.localeCompare(b.slot));
  }

  /**
   * Counts one stop of a call inline by `grant`; the stop that makes `limits.inlineGrantStops`
   * inside the window withdraws the grant and gets the withdrawal. It holds from this moment (the
   * next placement sees it); its record is written after (saved()).
   */
  stopped(grant: string, manifest: PublishedManifest, limits: Limits, now = Date.now()): Withdrawal | undefined {
    if (this.#withdrawn.has(grant)) return undefined;
    const windowMs = limits.inlineGrantStopMinutes * 60_000;
    const stops = (this.#stops.get(grant) ?? []).filter((at) => now - at < windowMs);
    stops.push(now);
    this.#stops.set(grant, stops);
    if (stops.length < limits.inlineGrantStops) return undefined;
    this.#stops.delete(grant);
    const withdrawal: Withdrawal = {
      grant,
      slot: slotKey(manifest.kind, manifest.name),
      version: manifest.version,
      digest: manifest.digest,
      stops: stops.length,
      at: new Date(now).toISOString(),
      reason: `stopped ${stops.length} times within ${limits.inlineGrantStopMinutes} min for holding the kernel's thread past its ${limits.inlineSliceMs} ms slice (kernel.inlineSliceMs)`,
    };
    this.#withdrawn.set(grant, withdrawal);
    void this.#save().catch(() => {}); // its failure is saved()'s to report
    return withdrawal;
  }

  /** Settles once every change so far is on disk; rejects if the last write failed. */
  saved(): Promise<void> {
    return this.#writes;
  }

  /** The owner's word: the withdrawals of this slot's grants are lifted (recorded); returns them. */
  async regrant(slot: string): Promise<Withdrawal[]> {
    const lifted = this.list().filter((w) => w.slot === slot);
    for (const w of lifted) this.#withdrawn.delete(w.grant);
    if (lifted.length) await this.#save();
    return lifted;
  }

  #save(): Promise<void> {
    this.#writes = this.#writes.catch(() => {}).then(() => writeJsonAtomic(this.#file, { withdrawn: this.list() }));
    return this.#writes;
  }
}

/** The one warning a withdrawal writes to the log. */
export function withdrawnMessage(w: Withdrawal): string {
  return `${w.slot}@${w.version} lost its inline grant "${w.grant}" (kernel.inlineGrants): ${w.reason}. It runs in a worker from now on, restarts included; \`titan components regrant ${w.slot}\` grants it again`;
}

/**
 * Serves the slot's current version from a deployment placed as the kernel now places it (a
 * withdrawn grant: a worker; a restored one: inline), unless a swap is under way or nothing serves.
 * Calls in flight finish on the old deployment; a standby of the old placement is dropped, so
 * neither a rollback nor a canary brings it back.
 */
export async function replacePlacement(slot: Slot, create: (manifest: PublishedManifest) => Promise<Deployment>): Promise<boolean> {
  const previous = slot.active;
  if (slot.swapping || !previous) return false;
  slot.swapping = true;
  try {
    const next = await create(previous.manifest);
    if (next.isolation === previous.isolation || slot.active !== previous) {
      await next.close();
      return false;
    }
    await next.warm(1);
    slot.active = next;
    void previous.close();
    if (slot.standby?.isolation === previous.isolation) {
      const standby = slot.standby;
      slot.standby = undefined;
      slot.canary = undefined;
      void standby.close();
    }
    return true;
  } finally {
    slot.swapping = false;
  }
}
