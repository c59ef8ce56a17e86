// The timeline: for each request, what arrived (headers without secrets, body) and what was sent,
// every frame stamped with performance.now() (`at`, ms, this process's clock) and the wall clock
// (`wallMs`, ms since the epoch). Over HTTP it comes with performance.timeOrigin so another process
// can line `at` up with its own clock.
import type { IncomingHttpHeaders } from 'node:http';

export type Stamp = { at: number; wallMs: number };

export type SentFrame = Stamp & { data: string; content: boolean };

export type Outcome =
  | 'completed' // the whole answer was sent
  | 'http_error' // an error status was sent (scripted fault or bad request)
  | 'disconnected' // the server cut the connection on cue
  | 'client_closed'; // the client went away before the answer ended

export type TimelineEntry = {
  id: number;
  method: string;
  path: string;
  route: string;
  received: Stamp;
  headers: Record<string, string>;
  body: unknown;
  /** The script turn that answered (its index), "echo", or null when none did. */
  turn: number | 'echo' | null;
  stream: boolean;
  status: number | null;
  sent: SentFrame[];
  fault: (Stamp & { kind: string }) | null;
  ended: (Stamp & { outcome: Outcome }) | null;
};

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'cookie', 'proxy-authorization', 'x-goog-api-key']);

export function stamp(): Stamp {
  return { at: performance.now(), wallMs: Date.now() };
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export class Timeline {
  #entries: TimelineEntry[] = [];
  #nextId = 1;
  readonly enabled: boolean;
  readonly #onEnd: ((entry: TimelineEntry) => void) | undefined;

  constructor(enabled = true, onEnd?: (entry: TimelineEntry) => void) {
    this.enabled = enabled;
    this.#onEnd = onEnd;
  }

  /** Starts an entry; with recording off the entry is still returned (the server fills it) but not kept. */
  begin(method: string, path: string, route: string, headers: IncomingHttpHeaders, body: unknown): TimelineEntry {
    const entry: TimelineEntry = {
      id: this.#nextId++,
      method,
      path,
      route,
      received: stamp(),
      headers: this.enabled ? redactHeaders(headers) : {},
      body: this.enabled ? body : null,
      turn: null,
      stream: false,
      status: null,
      sent: [],
      fault: null,
      ended: null,
    };
    if (this.enabled) this.#entries.push(entry);
    return entry;
  }

  sent(entry: TimelineEntry, data: string, content: boolean): void {
    if (this.enabled) entry.sent.push({ ...stamp(), data, content });
  }

  fault(entry: TimelineEntry, kind: string): void {
    entry.fault = { ...stamp(), kind };
  }

  end(entry: TimelineEntry, outcome: Outcome): void {
    if (entry.ended !== null) return;
    entry.ended = { ...stamp(), outcome };
    this.#onEnd?.(entry);
  }

  /** A copy: later frames of a stream still running do not change it. */
  snapshot(): TimelineEntry[] {
    return structuredClone(this.#entries);
  }

  clear(): void {
    this.#entries = [];
  }
}
