// Tool calls waiting for a person: the caller's pending approvals, and their decisions. A decided
// approval wakes its turn (or, after a restart, resumes it).
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import type { Approval } from '../../kernel/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { ownTurn, type TurnRow } from '../scope.ts';
import { body, ID, params } from '../validate.ts';

const DECISION = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: { decision: { enum: ['approved', 'rejected'] }, reason: { type: 'string', maxLength: 2000 } },
} as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;

function summaryOf(text: string): { tool: string | null; arguments: unknown } {
  try {
    const parsed = JSON.parse(text) as { name?: string; arguments?: unknown };
    return { tool: parsed.name ?? null, arguments: parsed.arguments ?? null };
  } catch {
    return { tool: null, arguments: text };
  }
}

export function approvalRoutes({ kernel, agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  /** The pending approvals in the caller's threads, each with its thread. */
  async function pendingOf(userId: string): Promise<Array<{ approval: Approval; turn: TurnRow }>> {
    const turns = new Map<string, TurnRow | null>();
    const owned = [];
    for (const approval of await agent.approvals.pending()) {
      if (!turns.has(approval.turn_id)) turns.set(approval.turn_id, await ownTurn(kernel, userId, approval.turn_id).catch(() => null));
      const turn = turns.get(approval.turn_id);
      if (turn) owned.push({ approval, turn });
    }
    return owned;
  }

  router.get('/approvals', async (ctx) => {
    const pending = await pendingOf(ctx.state.user.userId);
    ctx.body = {
      approvals: pending.map(({ approval, turn }) => ({
        id: approval.id,
        threadId: turn.thread_id,
        turnId: approval.turn_id,
        callId: approval.tool_call_id,
        ...summaryOf(approval.summary),
        requestedAt: Number(approval.requested_at),
        expiresAt: Number(approval.expires_at),
      })),
    };
  });

  router.post('/approvals/:id', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    const input = body<{ decision: 'approved' | 'rejected'; reason?: string }>(ctx.request.body, DECISION);
    const pending = await pendingOf(ctx.state.user.userId);
    if (!pending.some(({ approval }) => approval.id === id)) {
      throw new TitanError('TITAN_E_NOT_FOUND', `no pending approval ${id}`, { fix: 'GET /api/approvals lists the ones waiting for you' });
    }
    const decision = await agent.decide(id, input.decision, ctx.state.user.userId, input.reason);
    ctx.body = { id, ...decision };
  });

  return router;
}
