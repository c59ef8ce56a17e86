// A worker call's time by part, for whoever subscribes to the diagnostics channel
// "titan:kernel.worker-call" (the benchmarks): with no subscriber nothing is sent. The parts are
// read from wall clocks both threads share (performance.timeOrigin + now).
import { channel } from 'node:diagnostics_channel';
import type { MadeInstance } from './worker-protocol.ts';

export type WorkerCallTiming = {
  /** kind/name of the component called. */
  slot: string;
  fn: string;
  /** From the call's dispatch to its guest code beginning: the queue, the thread waking, the instance. */
  startMs: number;
  /** The guest's own run, in its thread. */
  runMs: number;
  /** From the guest's end to the caller resuming: the answer's message and the kernel's thread waking. */
  replyMs: number;
  /** When the call waited for its instance to be made in its thread: compiling (when the thread
   * compiled them itself) and instantiating, both within startMs. */
  made?: MadeInstance;
};

export const workerCalls = channel('titan:kernel.worker-call');

/** Wall-clock milliseconds (fractional), comparable across threads. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
