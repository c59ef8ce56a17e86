// The sending side of the task protocol: one kept-open stream per peer (dialled on first use,
// re-dialled after it breaks), and a bounded table of waiters. A waiter ends with the peer's
// result, or - on timeout, on the peer's stream breaking, or when the table is full - with a
// `Lost` outcome that the caller turns into a local run. A late result after that is dropped.
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { TitanError, type ErrorCode, ERRORS } from '../common/errors.ts';
import { FramedStream } from './frames.ts';
import { TASK_PROTOCOL, type FromPeer, type ResultMessage, type TaskMessage, type ToPeer } from './messages.ts';
import type { MeshNode } from './node.ts';

type Channel = FramedStream<FromPeer, ToPeer>;

/** Why a task came back without the peer's answer; the caller decides where it runs next. */
export class Lost extends Error {
  readonly reason: 'timeout' | 'peer-lost' | 'full' | 'send-failed';
  constructor(reason: Lost['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

type Waiter = {
  peer: string;
  /** Set once the task timed out: the peer is asked to drop it, and this learns whether it did. */
  cancelled?: (confirmed: boolean) => void;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (kind: string, data: string) => void;
  timer: NodeJS.Timeout;
  sentAt: number;
};

export type ClientStats = {
  sent: number;
  completed: number;
  timedOut: number;
  peerLost: number;
  lateResults: number;
  cancelConfirmed: number;
  cancelUnconfirmed: number;
  /** Peers declared dead for not confirming a cancel in time, and the last such, with why. */
  declaredDead: number;
  lastDeclaredDead?: { peer: string; reason: string; at: string };
};

/** How long a timed-out task waits for the peer to confirm it dropped it (the peer's own watchdog ends
 * it within watchdogGraceMs of this node's timeout), before the peer is declared dead and it runs elsewhere. */
const CANCEL_CONFIRM_MS = 2000;

export class TaskClient {
  readonly #node: MeshNode;
  readonly #timeoutMs: number;
  readonly #maxWaiters: number;
  readonly #channels = new Map<string, Promise<Channel>>();
  /** The open stream per peer, to tell whether a stream that ended is still the current one. */
  readonly #live = new Map<string, Channel>();
  readonly #sentTo = new Map<string, number>();
  readonly #waiters = new Map<string, Waiter>();
  readonly #onRoundTrip: (ms: number) => void;
  readonly #onPeerDead: (peer: string, reason: string) => void;
  readonly stats: ClientStats = {
    sent: 0,
    completed: 0,
    timedOut: 0,
    peerLost: 0,
    lateResults: 0,
    cancelConfirmed: 0,
    cancelUnconfirmed: 0,
    declaredDead: 0,
  };

  constructor(
    node: MeshNode,
    options: { timeoutMs: number; maxWaiters: number; onRoundTrip(ms: number): void; onPeerDead?(peer: string, reason: string): void },
  ) {
    this.#node = node;
    this.#onPeerDead = options.onPeerDead ?? (() => {});
    this.#timeoutMs = options.timeoutMs;
    this.#maxWaiters = options.maxWaiters;
    this.#onRoundTrip = options.onRoundTrip;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  sentTo(peer: string): number {
    return this.#sentTo.get(peer) ?? 0;
  }

  inFlight(peer: string): number {
    let count = 0;
    for (const waiter of this.#waiters.values()) if (waiter.peer === peer) count++;
    return count;
  }

  /** Sends a task to its assignee; resolves with its value, rejects with a TitanError or a Lost. `timeoutMs`: longer work (a job) than the mesh's task timeout. */
  run(task: TaskMessage, onProgress?: (kind: string, data: string) => void, timeoutMs = this.#timeoutMs): Promise<unknown> {
    if (this.#waiters.size >= this.#maxWaiters) return Promise.reject(new Lost('full', `${this.#maxWaiters} tasks already wait on peers`));
    if (this.#waiters.has(task.id)) return Promise.reject(new TitanError('TITAN_E_MESH_TASK_INVALID', `task ${task.id} is already waiting on a peer`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => void this.#timedOut(task, timeoutMs), timeoutMs);
      this.#waiters.set(task.id, { peer: task.assignee, resolve, reject, onProgress, timer, sentAt: performance.now() });
      this.stats.sent++;
      this.#sentTo.set(task.assignee, (this.#sentTo.get(task.assignee) ?? 0) + 1);
      this.#channel(task.assignee)
        .then((channel) => channel.send({ ...task, timeoutMs }))
        .catch((error: unknown) => {
          const waiter = this.#waiters.get(task.id);
          // Already timed out: the timeout decides (the task may have reached the peer).
          if (waiter?.cancelled) return waiter.cancelled(false);
          this.#settle(task.id)?.reject(new Lost('send-failed', `cannot reach ${task.assignee}: ${(error as Error).message}`));
        });
    });
  }

  /**
   * No answer in time: the peer is asked to drop the task, and only once it confirms (or cannot be
   * reached, or does not confirm within CANCEL_CONFIRM_MS) does the caller get the Lost that runs
   * it elsewhere - so a slow peer is not left running it while another node runs it too. A result
   * that arrives meanwhile is taken as the answer.
   */
  async #timedOut(task: TaskMessage, timeoutMs: number): Promise<void> {
    const waiter = this.#waiters.get(task.id);
    if (!waiter || waiter.cancelled) return;
    this.stats.timedOut++;
    const waitMs = Math.min(CANCEL_CONFIRM_MS, timeoutMs);
    const confirmed = new Promise<boolean>((resolve) => {
      waiter.cancelled = resolve;
      setTimeout(() => resolve(false), waitMs).unref();
    });
    // Sent or not, the wait is the same: the peer's own watchdog may still say it stopped the task.
    void this.#channels
      .get(task.assignee)
      ?.then((c) => c.send({ t: 'cancel', id: task.id }))
      .catch(() => {});
    const dropped = await confirmed;
    if (!this.#waiters.has(task.id)) return; // settled meanwhile (the peer's answer, or the peer gone)
    const where = dropped ? 'cancelled there' : 'it did not confirm the cancel and is counted dead';
    this.#settle(task.id)?.reject(new Lost('timeout', `no answer from ${task.assignee} within ${timeoutMs} ms (${where})`));
    // After this task's own end (a timeout: run elsewhere now); the peer's other tasks end as lost with it.
    if (dropped) this.stats.cancelConfirmed++;
    else this.#declareDead(task.assignee, `did not confirm the cancel of task ${task.id} within ${waitMs} ms of its ${timeoutMs} ms timeout`);
  }

  #declareDead(peer: string, reason: string): void {
    this.stats.cancelUnconfirmed++;
    this.stats.declaredDead++;
    this.stats.lastDeclaredDead = { peer, reason, at: new Date().toISOString() };
    this.#onPeerDead(peer, reason);
  }

  /** Asks the peer to drop a task; the waiter, if any, ends as cancelled. */
  async cancel(id: string, peer: string): Promise<void> {
    this.#settle(id)?.reject(new TitanError('TITAN_E_MESH_CANCELLED', `task ${id} was cancelled`));
    const channel = this.#channels.get(peer);
    if (channel) await channel.then((c) => c.send({ t: 'cancel', id })).catch(() => {});
  }

  /** Ends every waiter on a peer that is gone, so its tasks can run elsewhere. */
  peerGone(peer: string, why: string): void {
    for (const [id, waiter] of this.#waiters) {
      if (waiter.peer !== peer) continue;
      this.stats.peerLost++;
      this.#settle(id)?.reject(new Lost('peer-lost', `${peer} is gone (${why})`));
    }
    const channel = this.#channels.get(peer);
    this.#channels.delete(peer);
    this.#live.delete(peer);
    void channel?.then((c) => c.close()).catch(() => {});
  }

  close(): void {
    for (const peer of [...this.#channels.keys()]) this.peerGone(peer, 'this node is stopping');
  }

  #settle(id: string): Waiter | undefined {
    const waiter = this.#waiters.get(id);
    if (!waiter) return undefined;
    clearTimeout(waiter.timer);
    this.#waiters.delete(id);
    return waiter;
  }

  #channel(peer: string): Promise<Channel> {
    let channel = this.#channels.get(peer);
    if (!channel) {
      channel = this.#open(peerIdFromString(peer));
      this.#channels.set(peer, channel);
      channel.catch(() => this.#channels.delete(peer));
    }
    return channel;
  }

  async #open(peerId: PeerId): Promise<Channel> {
    const peer = peerId.toString();
    const stream = await this.#node.dialProtocol(peerId, TASK_PROTOCOL, { signal: AbortSignal.timeout(Math.min(10000, this.#timeoutMs)) });
    const channel: Channel = new FramedStream(stream);
    this.#live.set(peer, channel);
    void channel
      .readAll((message) => this.#onMessage(message))
      .then((reason) => {
        if (this.#live.get(peer) !== channel) return;
        // The stream broke: the peer's tasks in flight will never answer on it.
        this.peerGone(peer, `stream closed: ${reason?.message ?? 'ended'}`);
      });
    return channel;
  }

  #onMessage(message: FromPeer): void {
    if (message.t === 'progress') {
      this.#waiters.get(message.id)?.onProgress?.(String(message.kind), String(message.data));
      return;
    }
    if (message.t !== 'result') return;
    const timedOut = this.#waiters.get(message.id);
    if (timedOut?.cancelled && !message.ok && message.error?.code === 'TITAN_E_MESH_CANCELLED') {
      timedOut.cancelled(true); // the peer dropped it (or its watchdog stopped it): #timedOut ends the waiter
      return;
    }
    if (timedOut && !message.ok && message.stopped) {
      // Its watchdog stopped it before this node's timer fired: nothing runs there, so it may run elsewhere.
      this.#settle(message.id)?.reject(new Lost('timeout', `${timedOut.peer} stopped task ${message.id} at its time limit`));
      return;
    }
    const waiter = this.#settle(message.id);
    if (!waiter) {
      this.stats.lateResults++;
      return;
    }
    this.stats.completed++;
    this.#onRoundTrip(performance.now() - waiter.sentAt);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(fromWire(message));
  }
}

function fromWire(message: Extract<ResultMessage, { ok: false }>): TitanError {
  const code = (message.error?.code in ERRORS ? message.error.code : 'TITAN_E_INTERNAL') as ErrorCode;
  return new TitanError(code, String(message.error?.message ?? 'the peer gave no reason'));
}
