// Replayed tool results for the precision guard: calls a reflex makes under a registered call id
// get the results recorded in its source turn, in order, instead of running the tool (so the
// check is exact, and runs nothing). Every other call goes to the kernel's tools as before.
import { TitanError } from '../../common/errors.ts';
import type { ToolService } from '../../host-api/index.ts';
import type { Kernel } from '../../kernel/kernel.ts';

export class ToolReplay {
  readonly #kernel: Kernel;
  readonly #base: ToolService | undefined;
  readonly #queues = new Map<string, Array<{ tool: string; result: string }>>();

  constructor(kernel: Kernel) {
    this.#kernel = kernel;
    this.#base = kernel.services.tools;
    kernel.services.tools = {
      invoke: async (caller, callId, name, input) => {
        const queue = callId === undefined ? undefined : this.#queues.get(callId);
        if (!queue) {
          if (!this.#base) throw new TitanError('TITAN_E_SLOT_EMPTY', 'this kernel runs no tools');
          return this.#base.invoke(caller, callId, name, input);
        }
        const next = queue.shift();
        if (!next || next.tool !== name) {
          throw new TitanError('TITAN_E_COMPONENT_ERROR', `the reflex called ${name} where its source turn called ${next?.tool ?? 'nothing more'}`);
        }
        return next.result;
      },
    };
  }

  add(callId: string, results: Array<{ tool: string; result: string }>): () => void {
    this.#queues.set(callId, [...results]);
    return () => this.#queues.delete(callId);
  }

  close(): void {
    this.#kernel.services.tools = this.#base;
  }
}
