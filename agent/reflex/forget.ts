// Forgetting threads, the reflexes' part: when threads are deleted (one, or all of a user's chats),
// a reflex whose every source turn is gone goes with them (one that other threads' turns also
// support stays), and the shadow cache's answers precomputed for those threads are dropped.
import type { StoreClient } from '../../kernel/store-client.ts';
import type { ReflexService } from './service.ts';

export type ForgottenReflexes = { reflexes: string[]; shadowEntries: number };

const PAGE = 500;

/** Every thread id of a user (read before "clear all chats" removes them). */
export async function threadIdsOf(store: StoreClient, userId: string): Promise<string[]> {
  const ids: string[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.op('threads.list', { userId, limit: PAGE, beforeUpdatedAt: before });
    ids.push(...page.map((t) => t.id));
    if (page.length < PAGE) return ids;
    before = Number(page.at(-1)!.updated_at);
  }
}

/** Call after the store deleted `threadIds`: drops what reflexes derived only from them. */
export async function forgetThreadsInReflexes(reflexes: ReflexService, store: StoreClient, threadIds: string[]): Promise<ForgottenReflexes> {
  const shadowEntries = reflexes.shadow?.forget(threadIds) ?? 0;
  const exists = new Map<string, Promise<boolean>>();
  const alive = (turnId: string) => {
    let known = exists.get(turnId);
    if (!known) {
      known = store.op('turns.get', { id: turnId }).then(
        () => true,
        (error: { code?: string }) => error.code !== 'TITAN_E_NOT_FOUND', // a store error keeps the reflex
      );
      exists.set(turnId, known);
    }
    return known;
  };
  const gone: string[] = [];
  for (const record of reflexes.list()) {
    if (record.provenance.length === 0) continue;
    const left = await Promise.all(record.provenance.map(alive));
    if (left.some(Boolean)) continue;
    await reflexes.delete(record.name);
    gone.push(record.name);
  }
  return { reflexes: gone, shadowEntries };
}
