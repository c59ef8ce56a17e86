// A slot holds the serving version of one component (kind + name). Callers read `active` once
// per call, so a swap (one assignment) never splits a call between versions.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Canary } from './canary.ts';
import type { Deployment } from './deployment.ts';
import type { Withdrawal } from './grant-withdrawals.ts';
import { slotKey } from './kinds.ts';
import type { PoolStats } from './pool.ts';

const HISTORY = 16;

/** What `titan components` and /api/components show of one slot. */
export type ComponentStatus = {
  slot: string;
  kind: string;
  name: string;
  version: string | null;
  digest: string | null;
  isolation: string | null;
  swaps: number;
  previous: string[];
  instances: PoolStats | null;
  /** The kernel withdrew this component's inline grant after repeated stops: it runs in a worker. */
  withdrawn?: Withdrawal;
};

export class Slot {
  readonly kind: string;
  readonly name: string;
  readonly key: string;
  active: Deployment | undefined;
  /** The version that served before `active`, kept warm (it takes no new calls from the slot). */
  standby: Deployment | undefined;
  /** Versions that served before the active one, most recent last: what rollback returns to. */
  readonly history: PublishedManifest[] = [];
  swapping = false;
  swaps = 0;
  /** While set, the active version is on trial: some calls still go to `standby` (kernel/canary.ts). */
  canary: Canary | undefined;

  constructor(kind: string, name: string) {
    this.kind = kind;
    this.name = name;
    this.key = slotKey(kind, name);
  }

  remember(manifest: PublishedManifest): void {
    this.history.push(manifest);
    if (this.history.length > HISTORY) this.history.shift();
  }

  status(): ComponentStatus {
    const active = this.active;
    return {
      slot: this.key,
      kind: this.kind,
      name: this.name,
      version: active?.manifest.version ?? null,
      digest: active?.manifest.digest ?? null,
      isolation: active?.isolation ?? null,
      swaps: this.swaps,
      previous: this.history.map((m) => m.version),
      instances: active?.stats() ?? null,
    };
  }
}
