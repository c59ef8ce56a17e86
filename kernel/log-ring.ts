// The last lines of the kernel log, kept in memory for the Logs page: a bounded ring (by lines and
// by bytes) fed by the logger beside its file or stdout, read with filters and followed live.
// What reaches it is what the log holds: content fields are already redacted by the logger.

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's numeric levels, by name. */
export const LEVELS: Record<LogLevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export type LogLine = {
  /** Position in the ring's history: increases by one per line, never reused (resume after it). */
  seq: number;
  time: number;
  level: LogLevelName;
  msg: string;
  /** Where the line came from when it says: a component, an event type, a channel, an MCP server. */
  source?: string;
  /** The whole line as the logger wrote it (JSON). */
  raw: string;
};

export type LogFilter = {
  /** The lowest level shown. */
  level?: LogLevelName;
  /** Words the line must contain (case-insensitive, anywhere in the JSON). */
  text?: string;
  source?: string;
  /** Only lines after this position. */
  after?: number;
};

const SOURCE_FIELDS = ['component', 'event', 'channel', 'mcp', 'slot'] as const;

function levelName(value: unknown): LogLevelName {
  if (typeof value !== 'number') return 'info';
  let name: LogLevelName = 'trace';
  for (const [candidate, number] of Object.entries(LEVELS) as Array<[LogLevelName, number]>) if (value >= number) name = candidate;
  return name;
}

function parse(raw: string, seq: number): LogLine {
  try {
    const record = JSON.parse(raw) as Record<string, unknown>;
    const source = SOURCE_FIELDS.map((field) => record[field]).find((value) => typeof value === 'string') as string | undefined;
    const time = typeof record.time === 'number' ? record.time : Date.now();
    return { seq, time, level: levelName(record.level), msg: String(record.msg ?? ''), ...(source ? { source } : {}), raw };
  } catch {
    return { seq, time: Date.now(), level: 'info', msg: raw, raw };
  }
}

export function matches(line: LogLine, filter: LogFilter): boolean {
  if (filter.after !== undefined && line.seq <= filter.after) return false;
  if (filter.level && LEVELS[line.level] < LEVELS[filter.level]) return false;
  if (filter.source && line.source !== filter.source) return false;
  if (filter.text && !line.raw.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}

export class LogRing {
  readonly #lines: LogLine[] = [];
  readonly #listeners = new Set<(line: LogLine) => void>();
  #bytes = 0;
  #seq = 0;

  readonly maxLines: number;
  readonly maxBytes: number;

  constructor(maxLines = 2_000, maxBytes = 1024 * 1024) {
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /** pino's destination interface: one JSON line per call (with its newline). */
  write(chunk: string): boolean {
    const raw = chunk.trimEnd();
    if (!raw) return true;
    const line = parse(raw, ++this.#seq);
    this.#lines.push(line);
    this.#bytes += raw.length;
    while (this.#lines.length > this.maxLines || this.#bytes > this.maxBytes) this.#bytes -= this.#lines.shift()?.raw.length ?? 0;
    for (const listener of this.#listeners) listener(line);
    return true;
  }

  /** The newest `limit` lines that pass the filter, oldest first. */
  read(filter: LogFilter = {}, limit = 500): LogLine[] {
    const found: LogLine[] = [];
    for (let i = this.#lines.length - 1; i >= 0 && found.length < limit; i--) if (matches(this.#lines[i], filter)) found.push(this.#lines[i]);
    return found.reverse();
  }

  /** The sources seen in the kept lines, for the page's filter. */
  sources(): string[] {
    return [...new Set(this.#lines.flatMap((line) => (line.source ? [line.source] : [])))].sort();
  }

  /** Calls `listener` with each new line; returns the unsubscribe. */
  follow(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
