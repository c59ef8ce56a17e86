// The host-import answers of one call, kept so the call can be replayed without the outside world:
// while a call is recorded every answer of a host interface with effects (kv, sql, files, http...)
// is written to the call's tape; a replayed call gets those same answers back, in order, and asks
// nothing of the real host. Log and events are dropped on replay; html answers live; the clock
// gives its recorded readings in order (so timestamps written match), then live ones.
import { TitanError } from '../common/errors.ts';
import type { ImportObject } from '../host-api/types.ts';

/** One host function's answer: `value` it returned, or what it threw (`payload`: an err result). */
export type HostAnswer = { call: string; args: unknown[]; async: boolean; value?: unknown; payload?: unknown; error?: string };

/** Interfaces a replay leaves to themselves: what they say is not an answer the guest depends on. */
const SILENT_ON_REPLAY = new Set(['log', 'events']);
/** Interfaces without effects or outside state: answered live on replay, never recorded. */
const LIVE_ON_REPLAY = new Set(['html']);
/** Readings rather than questions: replayed in order whatever the arguments, live once used up. */
const READINGS = new Set(['clock']);

/** Where a recording instance finds the tape of the call it runs (undefined: not recorded), and how
 * many host questions other than readings the call has asked (deployment.ts runs a call again only
 * if it asked none). */
export type TapeHolder = { tape?: HostAnswer[]; asked?: number };

function interfaceName(spec: string): string {
  return spec.slice(spec.indexOf('/') + 1, spec.indexOf('@') < 0 ? undefined : spec.indexOf('@'));
}

/** Wraps a bound import object so each answer lands on the holder's tape while it has one. */
export function recordingImports(bound: ImportObject, spec: string, holder: TapeHolder): ImportObject {
  const name = interfaceName(spec);
  if (SILENT_ON_REPLAY.has(name) || LIVE_ON_REPLAY.has(name)) return bound;
  const wrapped: ImportObject = {};
  for (const [fn, impl] of Object.entries(bound)) {
    const call = `${name}.${fn}`;
    const reading = READINGS.has(name);
    wrapped[fn] = (...args: unknown[]) => {
      if (!reading) holder.asked = (holder.asked ?? 0) + 1;
      const tape = holder.tape;
      if (!tape) return impl(...args);
      let result: unknown;
      try {
        result = impl(...args);
      } catch (error) {
        tape.push({ call, args: clone(args), async: false, ...thrown(error) });
        throw error;
      }
      if (!(result instanceof Promise)) {
        tape.push({ call, args: clone(args), async: false, value: clone(result) });
        return result;
      }
      const entry: HostAnswer = { call, args: clone(args), async: true };
      tape.push(entry);
      return result.then(
        (value) => {
          entry.value = clone(value);
          return value;
        },
        (error) => {
          Object.assign(entry, thrown(error));
          throw error;
        },
      );
    };
  }
  return wrapped;
}

/**
 * An import object that answers from the holder's tape: the first unused answer of the same
 * function with the same arguments. A question the recorded call never asked is a divergence.
 */
export function replayingImports(bound: ImportObject, spec: string, holder: TapeHolder & { used?: Set<HostAnswer> }): ImportObject {
  const name = interfaceName(spec);
  if (LIVE_ON_REPLAY.has(name)) return bound;
  const replayed: ImportObject = {};
  for (const fn of Object.keys(bound)) {
    const call = `${name}.${fn}`;
    if (SILENT_ON_REPLAY.has(name)) {
      replayed[fn] = () => undefined;
      continue;
    }
    const reading = READINGS.has(name);
    replayed[fn] = (...args: unknown[]) => {
      const used = (holder.used ??= new Set());
      const key = stableJson(args);
      const answer = holder.tape?.find((a) => !used.has(a) && a.call === call && (reading || stableJson(a.args) === key));
      if (!answer && reading) return bound[fn](...args);
      if (!answer) {
        throw new TitanError(
          'TITAN_E_REPLAY_DIVERGED',
          `the call asked the host ${call}(${key.slice(1, -1).slice(0, 200)}), which the recorded call never did`,
        );
      }
      used.add(answer);
      const fail = () => {
        if (answer.payload !== undefined) throw { payload: answer.payload };
        throw new Error(answer.error ?? 'host call failed');
      };
      if (!answer.async) return answer.payload !== undefined || answer.error !== undefined ? fail() : answer.value;
      return answer.payload !== undefined || answer.error !== undefined ? Promise.reject().catch(fail) : Promise.resolve(answer.value);
    };
  }
  return replayed;
}

function thrown(error: unknown): Pick<HostAnswer, 'payload' | 'error'> {
  if (typeof error === 'object' && error !== null && 'payload' in error) return { payload: clone((error as { payload: unknown }).payload) };
  return { error: error instanceof Error ? error.message : String(error) };
}

/** Answers are kept apart from what the guest may still change (a buffer it reuses). */
function clone<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return String(value) as T;
  }
}

/** JSON with bigints and bytes spelt out, for matching arguments and showing values. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
    return v;
  });
}
