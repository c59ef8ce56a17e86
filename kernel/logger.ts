// The kernel log (pino, JSON lines): to stdout when Titan runs as a service (stdout is not a
// terminal: systemd, Docker), otherwise to $TITAN_HOME/logs/titan.N.log rotated by size (pino-roll),
// so the terminal stays for people. What people wrote and what the model answered never reaches the
// log at info: events that carry content are logged at debug, with that content replaced by its size.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { LogRing } from './log-ring.ts';

export type { Logger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Where the log goes: `auto` is stdout for a server whose stdout is not a terminal, else the file. */
export type LogTarget = 'auto' | 'stdout' | 'file';

/** Payload fields that may hold a person's or a model's words (or a tool's data). */
export const CONTENT_FIELDS = ['text', 'arguments', 'result', 'data', 'content', 'prompt', 'output', 'input'] as const;

const ROTATE_AT = '10m';
const KEEP_FILES = 5;

export type LoggerOptions = { logsDir: string; level: LogLevel; target: LogTarget; server: boolean; stdoutIsTerminal?: boolean };

/** Where `target` sends the log of this process. */
export function logDestination(options: LoggerOptions): 'stdout' | 'file' {
  if (options.target !== 'auto') return options.target;
  return options.server && !(options.stdoutIsTerminal ?? process.stdout.isTTY) ? 'stdout' : 'file';
}

/** Each logger's last lines in memory (the Logs page reads them), beside its file or stdout. */
const rings = new WeakMap<Logger, LogRing>();

export function recentLogs(logger: Logger): LogRing | undefined {
  return rings.get(logger);
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const ring = new LogRing();
  const logger = pino(
    loggerSettings(options),
    pino.multistream([
      { stream: await destination(options), level: options.level },
      { stream: ring, level: options.level },
    ]),
  );
  rings.set(logger, ring);
  return logger;
}

function loggerSettings(options: LoggerOptions) {
  return {
    level: options.level,
    base: { pid: process.pid },
    // Defence in depth: a content field a caller put in a log line at any level is replaced by its size.
    redact: { paths: CONTENT_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: contentSize },
  };
}

async function destination(options: LoggerOptions) {
  if (logDestination(options) === 'stdout') return pino.destination({ dest: 1, sync: false });
  mkdirSync(options.logsDir, { recursive: true });
  // Loaded only for a log file: it brings date-fns (about 300 modules) with it.
  const { default: pinoRoll } = await import('pino-roll');
  return pinoRoll({ file: path.join(options.logsDir, 'titan'), extension: '.log', size: ROTATE_AT, limit: { count: KEEP_FILES }, mkdir: true });
}

/** What a content field becomes in the log: its size, never its words. */
export function contentSize(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return `[redacted: ${text.length} chars]`;
}

/** Whether an event payload carries content (so it is logged at debug, redacted). */
export function carriesContent(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  return CONTENT_FIELDS.some((field) => field in payload);
}

export const silentLogger: Logger = pino({ level: 'silent' });
