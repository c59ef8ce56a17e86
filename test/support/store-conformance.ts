// The store conformance bench: one kernel per backend serves every case of a conformance file (each
// case uses its own ids and measures what it changed), with the migrations' progress events kept.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { bootstrapBuiltins } from '../../kernel/bootstrap.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import { type lazyPostgres, openStoreKernel, type Backend, type StoreKernel } from './store.ts';

export const HOUR = 3600_000;

export type Progress = { step: number; of: number; version: number; name: string };

export type ConformanceBench = {
  store(): StoreClient;
  /** The store's migration progress events, in order, across restarts. */
  readonly progress: Progress[];
  /** A thread of `userId` with `turns` turns, each with messages, events, a tool call and an approval. */
  filledThread(id: string, userId: string, turns?: number): Promise<{ messages: number; turns: number; events: number; toolCalls: number; approvals: number }>;
  /** Restarts the kernel on the same database. */
  restart(): Promise<void>;
};

/** Registers the enclosing describe's hooks: a kernel on `backend` with the built-ins, closed after. */
export function conformanceBench(backend: Backend, postgres: ReturnType<typeof lazyPostgres>): ConformanceBench {
  let handle: StoreKernel;
  let kernel: Kernel;
  const progress: Progress[] = [];
  const store = () => kernel.store;
  const listen = () =>
    kernel.bus.on('component.event', (event: KernelEvents['component.event']) => {
      if (event.slot === 'store/core' && event.kind === 'progress') progress.push(JSON.parse(event.data));
    });

  before(async () => {
    handle = await openStoreKernel(backend, {
      postgres: backend === 'postgres' ? await postgres.server() : undefined,
      name: 'conformance',
      bootstrap: false,
    });
    kernel = handle.kernel;
    listen();
    const report = await bootstrapBuiltins(kernel);
    assert.deepEqual(report.failed, []);
  });
  after(() => handle?.cleanup());

  /** A thread of `userId` with `turns` turns, each with messages, events, a tool call and an approval. */
  async function filledThread(
    id: string,
    userId: string,
    turns = 2,
  ): Promise<{ messages: number; turns: number; events: number; toolCalls: number; approvals: number }> {
    await store().createThread({ id, userId, title: `thread ${id}` });
    for (let t = 0; t < turns; t++) {
      const turnId = `${id}-turn${t}`;
      await store().createTurn(turnId, id);
      await store().appendMessages(id, [
        { id: `${turnId}-q`, role: 'user', content: 'question', turnId },
        { id: `${turnId}-a`, role: 'assistant', content: 'answer', turnId },
      ]);
      await store().op('events.append', {
        turnId,
        events: [
          { seq: 0, type: 'text', data: { text: 'ans' } },
          { seq: 1, type: 'tool.start', data: { tool: 'echo' } },
          { seq: 2, type: 'text', data: 'wer' },
        ],
      });
      await store().op('toolCalls.upsert', { id: `${turnId}-call`, turnId, tool: 'echo', arguments: '{"text":"x"}', status: 'done', result: '{"text":"x"}' });
      await store().op('approvals.create', {
        id: `${turnId}-approval`,
        turnId,
        toolCallId: `${turnId}-call`,
        summary: 'run echo',
        expiresAt: Date.now() + HOUR,
      });
    }
    return { messages: 2 * turns, turns, events: 3 * turns, toolCalls: turns, approvals: turns };
  }

  return {
    store,
    progress,
    filledThread,
    async restart() {
      kernel = await handle.restart();
      listen();
    },
  };
}
