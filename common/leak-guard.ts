// The leak guard: finds stored secrets' values and well-known key formats in text that is about
// to reach a model, a log, a channel or the store, and cuts them out. Each hit is reported (its
// source and kind, never the value) so the owner can see what tried to leave.
// Stored values shorter than MIN_STORED_LENGTH are not searched: a short value ("1234") would
// redact ordinary words. Key formats are matched on their documented prefixes and lengths.

/** Well-known key formats. Order matters: the more specific prefix first (sk-ant- before sk-). */
export const KEY_FORMATS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
  { kind: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g },
  { kind: 'anthropic-key', pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { kind: 'aws-secret-key', pattern: /\baws_?secret_?access_?key\b["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}\b/gi },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,}/g },
];

export const MIN_STORED_LENGTH = 8;
/** A cheap test before the regular expressions: text without any of these cannot hold a known key. */
const PREFIXES = /sk-|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abposr]-|hooks\.slack|PRIVATE KEY|[Ss][Ee][Cc][Rr][Ee][Tt]_?[Aa][Cc][Cc][Ee][Ss][Ss]/;

export type LeakHit = { source: string; kinds: string[]; count: number };
export type Redaction = { text: string; hits: number; kinds: string[] };

export const redactionMark = (kind: string) => `[REDACTED:${kind}]`;

export class LeakGuard {
  readonly #values: () => Iterable<string>;
  readonly #report: (hit: LeakHit) => void;

  /** `values` gives the stored secrets' values at each scan; `report` hears every hit. */
  constructor(values: () => Iterable<string>, report: (hit: LeakHit) => void = () => {}) {
    this.#values = values;
    this.#report = report;
  }

  /** Text with every stored value and known key cut out; the hit, if any, reported with its source. */
  redact(text: string, source: string): string {
    const result = this.scan(text);
    if (result.hits > 0) this.#report({ source, kinds: result.kinds, count: result.hits });
    return result.text;
  }

  /** The same, for any JSON-like value: strings inside objects and arrays are redacted in place of a copy. */
  redactValue<T>(value: T, source: string): T {
    if (typeof value === 'string') return this.redact(value, source) as T;
    if (value === null || typeof value !== 'object') return value;
    const text = JSON.stringify(value);
    const clean = this.redact(text, source);
    return clean === text ? value : (JSON.parse(clean) as T);
  }

  scan(text: string): Redaction {
    let out = text;
    let hits = 0;
    const kinds = new Set<string>();
    for (const value of this.#values()) {
      if (value.length < MIN_STORED_LENGTH || !out.includes(value)) continue;
      const parts = out.split(value);
      hits += parts.length - 1;
      kinds.add('stored-secret');
      out = parts.join(redactionMark('stored-secret'));
    }
    if (PREFIXES.test(out)) {
      for (const { kind, pattern } of KEY_FORMATS) {
        out = out.replace(pattern, () => {
          hits++;
          kinds.add(kind);
          return redactionMark(kind);
        });
      }
    }
    return { text: out, hits, kinds: [...kinds] };
  }

  /**
   * For text that arrives in pieces (a model's streamed answer): each piece is let out at once
   * unless its end could be the start of a key the next piece completes. Then only that trailing
   * run of key characters waits (keys hold no spaces), and an opened private key block waits for
   * its END line. Runs shorter than HOLD_FROM are let out (a one-letter piece stays a piece); the
   * next piece is scanned together with them, so a key begun there is still cut (its first one or
   * two characters were out already, the key is not).
   */
  stream(source: string): { push(piece: string): string; end(): string } {
    let held = '';
    let emitted = '';
    const out = (text: string): string => {
      const tail = /[A-Za-z0-9_-]{1,2}$/.exec(emitted)?.[0] ?? '';
      const result = this.scan(tail + text);
      if (result.hits > 0) this.#report({ source, kinds: result.kinds, count: result.hits });
      const clean = result.text.startsWith(tail) ? result.text.slice(tail.length) : result.text;
      emitted = (emitted + clean).slice(-8);
      return clean;
    };
    return {
      push: (piece) => {
        const text = held + piece;
        const block = text.search(/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?![\s\S]*-----END)/);
        let cut = text.length;
        if (block >= 0) cut = block;
        else {
          const run = text.search(/[A-Za-z0-9_\-/+=:.]*$/);
          if (text.length - run >= HOLD_FROM && this.#couldBeKey(text.slice(run))) cut = run;
        }
        // A run longer than any key is let out (redacted) rather than held forever.
        if (text.length - cut > 16 * 1024) cut = text.length;
        held = text.slice(cut);
        return out(text.slice(0, cut));
      },
      end: () => {
        const rest = held;
        held = '';
        return out(rest);
      },
    };
  }

  /** May `run` (trailing key characters) be the beginning of a key or a stored value? */
  #couldBeKey(run: string): boolean {
    if (KEY_STARTS.some((p) => run.startsWith(p) || p.startsWith(run)) || /^aws/i.test(run)) return true;
    for (const value of this.#values()) {
      if (value.length < MIN_STORED_LENGTH) continue;
      for (let i = 0; i + HOLD_FROM <= run.length; i++) if (value.startsWith(run.slice(i))) return true;
    }
    return false;
  }
}

const HOLD_FROM = 3;
/** How every key format begins: a trailing run that may become one is held back. */
const KEY_STARTS = [
  'sk-',
  'AKIA',
  'ASIA',
  'ABIA',
  'ACCA',
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'github_pat_',
  'xox',
  'https://hooks.slack.com',
  '-----BEGIN',
];
