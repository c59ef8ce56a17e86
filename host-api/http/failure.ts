// An http exchange's failure: the WIT http-error case it lowers to, and the TITAN_E_ code its text
// starts with (so the guest, the model and the log all read the same cause).
export type HttpErrorTag = 'denied' | 'timeout' | 'too-large' | 'connection' | 'invalid';

export class HttpFailure extends Error {
  readonly tag: HttpErrorTag;
  readonly code: string;

  constructor(tag: HttpErrorTag, code: string, message: string) {
    super(message);
    this.tag = tag;
    this.code = code;
  }

  get text(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function denied(message: string): HttpFailure {
  return new HttpFailure('denied', 'TITAN_E_HTTP_DENIED', message);
}
