// The decoders jco's glue lifts every string out of a component's memory with, replaced by ones
// that check the length first: a string over the component's limit is refused before a single
// byte is copied or decoded, and bytes that are not valid UTF-8 (not a WIT string) are refused too.
import { TitanError } from '../common/errors.ts';

export type StringBounds = { decoder(encoding: 'utf-8' | 'utf-16'): { decode(view: ArrayBufferView): string } };

export function boundedStrings(who: string, maxBytes: number): StringBounds {
  return {
    decoder(encoding) {
      const inner = new TextDecoder(encoding, { fatal: true });
      return {
        decode(view) {
          if (view.byteLength > maxBytes) {
            throw new TitanError(
              'TITAN_E_RESULT_TOO_LARGE',
              `${who} handed out a string of ${view.byteLength} bytes; its limit is ${maxBytes} (limits.maxResultBytes)`,
            );
          }
          try {
            return inner.decode(view);
          } catch {
            throw new TitanError('TITAN_E_RESULT_INVALID', `${who} handed out a string that is not valid ${encoding.toUpperCase()}`);
          }
        },
      };
    },
  };
}

/** No bound: for reading glue outside a deployment (tests, tools). */
export const UNBOUNDED: StringBounds = boundedStrings('component', Number.MAX_SAFE_INTEGER);
