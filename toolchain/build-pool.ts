// Componentize runs for several components at once: one worker thread per core, since each run is
// about a second of pure CPU (a first start builds all the built-ins: 16 in a row took about 20 s
// on 2 cores). A lone build stays in the calling thread, where a worker would only add its start-up.
import { availableParallelism } from 'node:os';
import { Tinypool } from 'tinypool';
import { TitanError } from '../common/errors.ts';
import type { Compile } from './componentize.ts';
import type { ComponentizeOutcome, ComponentizeTask } from './componentize-worker.ts';
import { typescriptWorker } from '../common/installed-typescript.ts';

export class BuildPool {
  readonly #pool: Tinypool;

  constructor(threads = availableParallelism()) {
    this.#pool = new Tinypool({
      filename: new URL('./componentize-worker.ts', import.meta.url).href,
      minThreads: 0,
      maxThreads: Math.max(1, threads),
      // Builds come in one burst at start: threads that finished go away instead of idling.
      idleTimeout: 1000,
      ...typescriptWorker,
    });
  }

  readonly compile: Compile = async (source, world, backend) => {
    const task: ComponentizeTask = { source, world, backend };
    const outcome = (await this.#pool.run(task)) as ComponentizeOutcome;
    if ('wasm' in outcome) return outcome.wasm;
    throw new TitanError(outcome.code, outcome.message);
  };

  close(): Promise<void> {
    return this.#pool.destroy();
  }
}
