// What went wrong in a guest call, in the kernel's terms. An error the guest returned through its
// WIT result is an answer (the instance is fine); anything else - a trap, a failed lowering, a
// stack overflow - leaves the instance in an unknown state, so it is poisoned and replaced.
import { TitanError } from '../common/errors.ts';

type ComponentErrorLike = Error & { payload: unknown };

export function isGuestResultError(error: unknown): error is ComponentErrorLike {
  // ComponentError is defined inside each component's glue, so instanceof cannot be used.
  return error instanceof Error && error.constructor.name === 'ComponentError' && 'payload' in error;
}

function payloadText(payload: unknown): { tag?: string; text: string } {
  if (payload && typeof payload === 'object' && 'tag' in payload) {
    const { tag, val } = payload as { tag: string; val?: unknown };
    return { tag, text: val === undefined ? tag : `${tag}: ${typeof val === 'string' ? val : JSON.stringify(val)}` };
  }
  return { text: typeof payload === 'string' ? payload : JSON.stringify(payload) };
}

export function guestResultError(who: string, error: ComponentErrorLike): TitanError {
  const { tag, text } = payloadText(error.payload);
  return new TitanError('TITAN_E_COMPONENT_ERROR', `${who}: ${text}`, { details: { tag, payload: error.payload } });
}

export function trapError(who: string, error: unknown): TitanError {
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|memory\.grow|Cannot allocate|allocation failed/i.test(message)) {
    return new TitanError('TITAN_E_OUT_OF_MEMORY', `${who} ran out of memory: ${message}`, { cause: error });
  }
  return new TitanError('TITAN_E_COMPONENT_TRAP', `${who} trapped: ${message}`, { cause: error });
}

/**
 * A string refused on its way out of the guest: the guest's own cleanup after the crossing never
 * ran (or an exception unwound through its stack), so its instance is not reused.
 */
export function leavesInstanceUnsettled(error: TitanError): boolean {
  return error.code === 'TITAN_E_RESULT_TOO_LARGE' || error.code === 'TITAN_E_RESULT_INVALID';
}
