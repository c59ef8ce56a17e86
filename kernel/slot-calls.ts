// One call of a slot: which version takes it (the active one, or the old one while a canary holds
// the new one to a share), how long it took and whether it failed (counted for every call), and,
// for a sampled call, the whole of it with its host answers for the recorder.
import { TitanError } from '../common/errors.ts';
import { type CallRecorder, callKind } from './call-recorder.ts';
import type { CallOptions, Deployment } from './deployment.ts';
import type { HostAnswer } from './host-tape.ts';
import type { Slot } from './slot.ts';
import { traced, tracingOn } from './tracing.ts';

export function callSlot(recorder: CallRecorder, slot: Slot, active: Deployment, fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
  if (!tracingOn()) return observedCall(recorder, slot, active, fn, args, options);
  // A span per call while tracing is on; a store call is named by its operation (request's first argument).
  const op = slot.key.startsWith('store/') && typeof args[0] === 'string' ? args[0] : undefined;
  const [kind, name] = slot.key.split('/');
  const attributes = { 'titan.component': slot.key, 'titan.version': active.manifest.version, 'titan.function': fn, ...(op ? { 'titan.store.op': op } : {}) };
  return traced(op ? `store ${op}` : `${kind} ${name}.${fn}`, attributes, () => observedCall(recorder, slot, active, fn, args, options));
}

function observedCall(recorder: CallRecorder, slot: Slot, active: Deployment, fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
  const canary = slot.canary;
  const onTrial = canary !== undefined && canary.version === active.manifest.version;
  const target = onTrial && slot.standby && fn !== 'describe' && !canary.takesCall() ? slot.standby : active;
  const tape: HostAnswer[] | undefined = recorder.sample(slot.key, fn) ? [] : undefined;
  const started = performance.now();
  const finish = (ok: boolean, output: unknown, error?: TitanError) => {
    const ms = performance.now() - started;
    const version = target.manifest.version;
    const kind = callKind(slot.key, fn, args);
    recorder.observe(slot.key, version, fn, ms, ok, kind);
    if (onTrial && target === active && fn !== 'describe') canary.observe(ms, ok, kind);
    if (!tape) return;
    const failure = error ? { code: error.code, message: error.message } : undefined;
    recorder.record(slot.key, { version, fn, args, ok, output, error: failure, ms, host: tape });
  };
  return target.call(fn, args, tape ? { ...options, tape } : options).then(
    (output) => {
      finish(true, output);
      return output;
    },
    (error: unknown) => {
      finish(false, undefined, error instanceof TitanError ? error : new TitanError('TITAN_E_INTERNAL', String(error)));
      throw error;
    },
  );
}
