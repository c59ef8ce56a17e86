// What a user may see: their own threads, the turns in them, the approvals those turns wait on.
// Someone else's thread answers exactly like a thread that does not exist (404), so ids reveal nothing.
import { TitanError } from '../common/errors.ts';
import type { Kernel, Thread, Turn } from '../kernel/api.ts';

export type ThreadRow = Thread;
export type TurnRow = Turn;

const isNotFound = (error: unknown) => error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND';

export async function ownThread(kernel: Kernel, userId: string, threadId: string): Promise<ThreadRow> {
  try {
    return await kernel.store.op('threads.get', { userId, threadId });
  } catch (error) {
    if (isNotFound(error)) throw new TitanError('TITAN_E_NOT_FOUND', `no thread ${threadId}`);
    throw error;
  }
}

export async function ownTurn(kernel: Kernel, userId: string, turnId: string): Promise<TurnRow> {
  let turn: TurnRow;
  try {
    turn = await kernel.store.op('turns.get', { id: turnId });
    await ownThread(kernel, userId, turn.thread_id);
  } catch (error) {
    if (isNotFound(error)) throw new TitanError('TITAN_E_NOT_FOUND', `no turn ${turnId}`);
    throw error;
  }
  return turn;
}
