// Which version serves in each slot, so a restart brings back exactly what was running.
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';

export type DeploymentRecord = { version: string; digest: string; history: string[]; at: string };
export type DeploymentsState = Record<string, DeploymentRecord>;

export class DeploymentsFile {
  readonly #file: string;
  #state: Promise<DeploymentsState> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  /** Read once; this process is the file's only writer after that. */
  read(): Promise<DeploymentsState> {
    this.#state ??= readJsonFile<DeploymentsState>(this.#file, {});
    return this.#state.then((state) => structuredClone(state));
  }

  /** Serialised writes of the whole state, so concurrent swaps of different slots both land. */
  update(slot: string, record: DeploymentRecord | undefined): Promise<void> {
    this.#writes = this.#writes
      .catch(() => {})
      .then(async () => {
        this.#state ??= readJsonFile<DeploymentsState>(this.#file, {});
        const state = await this.#state;
        if (record) state[slot] = record;
        else delete state[slot];
        await writeJsonAtomic(this.#file, state);
      });
    return this.#writes;
  }
}
