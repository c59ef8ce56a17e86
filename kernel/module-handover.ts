// A worker deployment's core modules, compiled once in the kernel's thread and handed to its
// threads (a WebAssembly.Module crosses postMessage without being compiled again: the threads share
// its code). Two threads each compiling their own did the work twice, on the first calls. The kernel
// lets its reference go as soon as every thread the pool may run holds them, or after a while at
// the latest: kept for as long as the component served, it kept about 6 MB (a reflex's, plus the
// code its threads compiled into it) after the threads had exited. A thread started after that
// compiles its own, unless the deployment is warmed again (a thread replaced, worker-host.ts).
import { compileFolder } from './compile-cores.ts';
import type { DeploymentBase } from './worker-protocol.ts';

/** The longest the kernel holds a deployment's modules waiting for its threads to take them. */
const HOLD_MS = 30_000;

export class ModuleHandover {
  readonly #base: DeploymentBase;
  readonly #who: string;
  #compiling: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #asked = false;

  constructor(base: DeploymentBase, who: string) {
    this.#base = base;
    this.#who = who;
  }

  /** Whether the deployment's first use asked for them (compiled here, or failed to: its threads then report why). */
  get asked(): boolean {
    return this.#asked;
  }

  /** Compiles the modules here (once, however many ask meanwhile) and puts them in what each thread is told. */
  hold(): Promise<void> {
    if (this.#base.modules) return Promise.resolve();
    this.#asked = true;
    this.#compiling ??= compileFolder(this.#base.dir, this.#base.memoryMb, this.#who)
      .then((modules) => {
        this.#base.modules = modules;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.letGo(), HOLD_MS).unref();
      })
      .finally(() => (this.#compiling = undefined));
    return this.#compiling;
  }

  /** After a call: lets the modules go once `told` threads (every one the pool may run) hold them. */
  settle(told: number, max: number): void {
    if (this.#base.modules && told >= max) this.letGo();
  }

  letGo(): void {
    clearTimeout(this.#timer);
    delete this.#base.modules;
  }
}
