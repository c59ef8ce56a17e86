// Peers turned away, on both sides, with the reason: this node refusing a peer (not on its
// allowlist) and a peer refusing this node (it closed the connection at the handshake). Counted for
// `titan mesh status`, logged once per peer and reason a minute, so a peer that keeps redialling
// cannot flood the log.
import type { Kernel } from '../kernel/api.ts';

type Logger = Kernel['logger'];

export type RefusalSide = 'here' | 'by-peer';
export type Refusal = { peer: string; side: RefusalSide; reason: string; at: number };

const LAST = 20;
const LOG_EVERY_MS = 60_000;

/** Why a dial failed, as far as the dialling side can tell; undefined: the peer was simply unreachable. */
export function refusalReason(error: unknown, privateNetwork: boolean): string | undefined {
  const message = String((error as Error)?.message ?? error);
  if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|no valid addresses|dial to self/i.test(message)) return undefined;
  if (/abort|timed? ?out/i.test(message)) {
    return privateNetwork ? 'no handshake in time: the peer holds another network key (or does not answer)' : undefined;
  }
  return `the peer closed the connection at the handshake: this node is not on its allowlist${privateNetwork ? ', or holds another network key' : ''} (${message.slice(0, 120)})`;
}

export class PeerRefusals {
  readonly #logger: Logger;
  readonly #last: Refusal[] = [];
  readonly #logged = new Map<string, number>();
  readonly counts = { here: 0, byPeers: 0 };
  readonly byReason: Record<string, number> = {};

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  record(peer: string, side: RefusalSide, reason: string): void {
    if (side === 'here') this.counts.here++;
    else this.counts.byPeers++;
    const key = `${side}: ${reason.replace(/ \(.*\)$/, '')}`;
    this.byReason[key] = (this.byReason[key] ?? 0) + 1;
    this.#last.push({ peer, side, reason, at: Date.now() });
    if (this.#last.length > LAST) this.#last.shift();
    const logKey = `${peer} ${key}`;
    const now = Date.now();
    if (now - (this.#logged.get(logKey) ?? 0) < LOG_EVERY_MS) return;
    this.#logged.set(logKey, now);
    if (this.#logged.size > 1000) this.#logged.clear();
    const what = side === 'here' ? 'mesh: refused a peer' : 'mesh: a peer refused this node';
    this.#logger.warn({ peer, reason }, what);
  }

  summary() {
    return { ...this.counts, byReason: { ...this.byReason }, last: [...this.#last] };
  }
}
