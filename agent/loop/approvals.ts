// Human approval of tool calls: a request is persisted through the store (so it survives a
// restart), waits for a decision, and expires after a configured time - an expired request is a
// rejection with a visible reason.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { Approval, StoreClient } from '../../kernel/store-client.ts';

export type Decision = { decision: 'approved' | 'rejected' | 'expired'; by: string; reason?: string };
export type ApprovalRequest = { turnId: string; callId: string; name: string; arguments: unknown };
export type PendingApproval = Approval;

export class Approvals {
  readonly #store: StoreClient;
  readonly #ttlMs: number;
  readonly #waiting = new Map<string, { resolve: (d: Decision) => void; timer: NodeJS.Timeout }>();
  /** Approvals restored after a restart: no turn is running to wait for them. */
  readonly #orphans = new Map<string, { approval: PendingApproval; timer: NodeJS.Timeout }>();
  /** Called for a decision on an approval whose turn is not running (e.g. after a restart). */
  onOrphanDecision: ((approval: PendingApproval, decision: Decision) => Promise<void>) | undefined;

  constructor(store: StoreClient, ttlMs: number) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async request(request: ApprovalRequest): Promise<{ id: string; expiresAt: number; decision: Promise<Decision> }> {
    const id = randomUUID();
    const expiresAt = Date.now() + this.#ttlMs;
    const summary = JSON.stringify({ name: request.name, arguments: request.arguments });
    await this.#store.op('approvals.create', { id, turnId: request.turnId, toolCallId: request.callId, summary, expiresAt });
    const decision = new Promise<Decision>((resolve) => this.#wait(id, expiresAt, resolve));
    return { id, expiresAt, decision };
  }

  #wait(id: string, expiresAt: number, resolve: (d: Decision) => void): void {
    const timer = setTimeout(() => void this.#expire(id), Math.max(0, expiresAt - Date.now()));
    timer.unref();
    this.#waiting.set(id, { resolve, timer });
  }

  async #expire(id: string): Promise<void> {
    const expired = await this.#store.op('approvals.expire', {}).catch(() => []);
    for (const approval of expired)
      await this.#settle(approval, { decision: 'expired', by: 'titan', reason: `no decision within ${Math.round(this.#ttlMs / 1000)} s` });
    if (!expired.some((a) => a.id === id)) (this.#waiting.get(id) ?? this.#orphans.get(id))?.timer.refresh();
  }

  /** Records the decision (refused if the approval is not pending or has expired) and wakes the turn. */
  async decide(id: string, decision: 'approved' | 'rejected', by: string, reason?: string): Promise<Decision> {
    let approval: PendingApproval;
    try {
      approval = await this.#store.op('approvals.decide', { id, decision, by, reason });
    } catch (error) {
      if (error instanceof TitanError && /expired/.test(error.message)) {
        const expired: Decision = { decision: 'expired', by: 'titan', reason: 'expired before a decision' };
        this.#settleId(id, expired);
        const orphan = this.#orphans.get(id);
        if (orphan) await this.#settle(orphan.approval, expired);
        throw new TitanError('TITAN_E_APPROVAL_EXPIRED', `approval ${id} expired before a decision; the tool call was rejected`);
      }
      throw error;
    }
    const result: Decision = { decision, by, reason };
    await this.#settle(approval, result);
    return result;
  }

  #settleId(id: string, decision: Decision): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
    waiting.resolve(decision);
  }

  /** Wakes the waiting turn, or (after a restart) resumes the turn the approval belongs to. */
  async #settle(approval: PendingApproval, decision: Decision): Promise<void> {
    if (this.#waiting.has(approval.id)) return this.#settleId(approval.id, decision);
    const orphan = this.#orphans.get(approval.id);
    if (!orphan) return;
    clearTimeout(orphan.timer);
    this.#orphans.delete(approval.id);
    await this.onOrphanDecision?.(orphan.approval, decision);
  }

  pending(): Promise<PendingApproval[]> {
    return this.#store.op('approvals.pending');
  }

  /** After a restart: expiry timers again for every pending approval (their turns resume on a decision). */
  async restore(): Promise<PendingApproval[]> {
    const pending = await this.pending();
    for (const approval of pending) {
      if (this.#waiting.has(approval.id) || this.#orphans.has(approval.id)) continue;
      const timer = setTimeout(() => void this.#expire(approval.id), Math.max(0, Number(approval.expires_at) - Date.now()));
      timer.unref();
      this.#orphans.set(approval.id, { approval, timer });
    }
    return pending;
  }

  close(): void {
    for (const { timer } of [...this.#waiting.values(), ...this.#orphans.values()]) clearTimeout(timer);
    this.#waiting.clear();
    this.#orphans.clear();
  }
}
