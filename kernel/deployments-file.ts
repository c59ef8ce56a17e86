// Which version serves in each slot, so a restart brings back exactly what was running.
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';

export type DeploymentRecord = { version: string; digest: string; history: string[]; at: string };
export type DeploymentsState = Record<string, DeploymentRecord>;

export class DeploymentsFile {
  readonly #file: string;
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  read(): Promise<DeploymentsState> {
    return readJsonFile<DeploymentsState>(this.#file, {});
  }

  /** Serialised read-modify-write, so concurrent swaps of different slots both land. */
  update(slot: string, record: DeploymentRecord | undefined): Promise<void> {
    this.#writes = this.#writes.catch(() => {}).then(async () => {
      const state = await this.read();
      if (record) state[slot] = record;
      else delete state[slot];
      await writeJsonAtomic(this.#file, state);
    });
    return this.#writes;
  }
}
