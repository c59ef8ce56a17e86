// Pre-empting a call that runs in the kernel's own thread: the call is made from a vm script run
// with a timeout, whose watchdog thread terminates V8's execution (wasm loops included) when the
// limit passes; the kernel then carries on. Measured here at about 70 µs a call (Node starts one
// watchdog thread per run and joins it after; under load the join waits for that thread to be
// scheduled: a 1 ms call took 7 ms p50, 43 ms p99 at load 19 on 2 cores), so only components inline
// by grant pay it, never the built-ins. It
// covers the call's synchronous part: a JSPI call that suspends on the host is bounded by the
// deployment's deadline instead, and one that loops after resuming is not stopped.
import vm from 'node:vm';

/** The call was stopped at its limit; the instance it ran on is in an unknown state. */
export class Preempted extends Error {
  readonly limitMs: number;
  constructor(limitMs: number) {
    super(`stopped after ${limitMs} ms`);
    this.limitMs = limitMs;
  }
}

const context = vm.createContext({ run: undefined as undefined | (() => unknown) });
const script = new vm.Script('run()', { filename: 'titan-watchdog' });

export function runWatched<T>(fn: () => T, timeoutMs: number): T {
  context.run = fn;
  try {
    return script.runInContext(context, { timeout: timeoutMs }) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new Preempted(timeoutMs);
    throw error;
  } finally {
    context.run = undefined;
  }
}
