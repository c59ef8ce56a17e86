// Writing how a turn ended: its last messages, its last events and its new state as one store
// operation (turns.end), so a client that sees the answer never finds the turn still running; the
// final events go out on the bus only once that committed. In the failure path the write is
// retried until the store takes it: a turn must not stay `streaming` while its process lives on.
import { setTimeout as sleep } from 'node:timers/promises';
import { TitanError } from '../../common/errors.ts';
import type { NewMessage, StoreClient, TurnState } from '../../kernel/store-client.ts';
import { TurnEventLog } from './event-log.ts';
import type { TurnEvent, TurnEventBody } from './turn-events.ts';

export type TurnEnd = {
  to: Extract<TurnState, 'completed' | 'failed' | 'interrupted'>;
  messages: NewMessage[];
  /** The final events: written with the end, sent on the bus after it committed. */
  events: TurnEventBody[];
  error?: string;
};

export type EndOptions = {
  /** The serving store has turns.end (schema 7); an older one gets the messages, then the state. */
  oneWrite: boolean;
  /** Keep retrying a failed write while this says so (false: the kernel is stopping). */
  retry: () => boolean;
  /** Told once per failed attempt, with the error. */
  onRetry?: (error: TitanError, attempt: number) => void;
  /** Called once the end is stored (or, in the failure path, given to the retries), before its
   * events go out: a listener may start the next turn. */
  onStored: () => void;
  /** Takes the retries of a failed end write, which go on after the turn is reported ended. */
  detach: (retries: Promise<void>) => void;
};

/** Failures that a retry cannot fix: the turn already ended, or the input is wrong. */
const FINAL = new Set(['TITAN_E_TURN_STATE', 'TITAN_E_USAGE', 'TITAN_E_NOT_FOUND']);
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;
/** A stopping kernel still tries this often before it leaves the turn to the next start's recovery. */
const ATTEMPTS_WHILE_STOPPING = 3;

function coded(error: unknown): TitanError {
  return error instanceof TitanError ? error : new TitanError('TITAN_E_STORE', String((error as Error)?.message ?? error));
}

async function writeOnce(store: StoreClient, log: TurnEventLog, end: TurnEnd, final: TurnEvent[], oneWrite: boolean): Promise<void> {
  if (!oneWrite) {
    if (end.messages.length) await store.appendMessages(log.threadId, end.messages);
    await store.transitionTurn(log.turnId, end.to, end.error);
    for (const event of final) log.keep(event);
    return;
  }
  const events = [...log.unwritten(), ...final.map((e) => TurnEventLog.row(e))];
  await store.op('turns.end', {
    threadId: log.threadId,
    turnId: log.turnId,
    to: end.to,
    error: end.error,
    messages: end.messages.map((m) => ({ ...m, turnId: log.turnId })),
    events,
  });
  log.written(Math.max(0, ...events.map((e) => e.seq)));
}

/**
 * Ends the turn; resolves once the end is stored and its final events are on the bus. Otherwise
 * the first error throws, except in the failure path (`retrying`): there the turn is reported
 * ended at once (its final events go out, its thread takes a new message, since nothing more will
 * happen in it) and the write is handed to `detach`, retried with backoff until the store takes it.
 */
export async function endTurn(store: StoreClient, log: TurnEventLog, end: TurnEnd, options: EndOptions & { retrying: boolean }): Promise<void> {
  const final = end.events.map((body) => log.prepare(body));
  const tell = () => {
    options.onStored();
    for (const event of final) log.publish(event);
  };
  const write = () => writeOnce(store, log, end, final, options.oneWrite);
  try {
    await write();
    return tell();
  } catch (error) {
    const titan = coded(error);
    if (options.retrying) tell();
    if (!options.retrying || FINAL.has(titan.code)) throw titan;
    options.onRetry?.(titan, 1);
    options.detach(retried(write, options));
  }
}

async function retried(write: () => Promise<void>, options: EndOptions): Promise<void> {
  for (let attempt = 2, delay = FIRST_DELAY_MS; ; attempt++, delay = Math.min(MAX_DELAY_MS, delay * 2)) {
    await sleep(delay);
    try {
      return await write();
    } catch (error) {
      const titan = coded(error);
      if (FINAL.has(titan.code) || (!options.retry() && attempt >= ATTEMPTS_WHILE_STOPPING)) throw titan;
      options.onRetry?.(titan, attempt);
    }
  }
}
