// The kernel log (pino, JSON lines): to stdout when Titan runs as a service (stdout is not a
// terminal: systemd, Docker), otherwise to $TITAN_HOME/logs/titan.log rotated by size into titan.N.log
// (rotating-file-stream), so the terminal stays for people. What people wrote and what the model answered never reaches the
// log at info: events that carry content are logged at debug, with that content replaced by its size.
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { LogRing } from './log-ring.ts';

export type { Logger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Where the log goes: `auto` is stdout for a server whose stdout is not a terminal, else the file. */
export type LogTarget = 'auto' | 'stdout' | 'file';

/** Payload fields that may hold a person's or a model's words (or a tool's data). */
export const CONTENT_FIELDS = ['text', 'arguments', 'result', 'data', 'content', 'prompt', 'output', 'input'] as const;

const ROTATE_AT = '10M';
/** Rotated files kept beside the current one (titan.1.log is the newest). */
const KEEP_ROTATED = 5;

export type LoggerOptions = {
  logsDir: string;
  level: LogLevel;
  target: LogTarget;
  server: boolean;
  stdoutIsTerminal?: boolean;
  /** The size at which the log file is rotated (default 10 MB). */
  rotateAt?: `${number}${'B' | 'K' | 'M'}`;
};

/** Where `target` sends the log of this process. */
export function logDestination(options: LoggerOptions): 'stdout' | 'file' {
  if (options.target !== 'auto') return options.target;
  return options.server && !(options.stdoutIsTerminal ?? process.stdout.isTTY) ? 'stdout' : 'file';
}

/** Each logger's last lines in memory (the Logs page reads them), beside its file or stdout. */
const rings = new WeakMap<Logger, LogRing>();
/** Each logger's log file stream, ended when its kernel closes. */
const files = new WeakMap<Logger, Writable>();

export function recentLogs(logger: Logger): LogRing | undefined {
  return rings.get(logger);
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const ring = new LogRing();
  const file = logDestination(options) === 'file' ? await logFile(options.logsDir, options.rotateAt ?? ROTATE_AT) : undefined;
  const logger = pino(
    loggerSettings(options),
    pino.multistream([
      { stream: file ?? pino.destination({ dest: 1, sync: false }), level: options.level },
      { stream: ring, level: options.level },
    ]),
  );
  rings.set(logger, ring);
  if (file) files.set(logger, file);
  return logger;
}

/** Writes what the logger holds: its file is ended and fully written (lines logged after are dropped). */
export async function closeLogger(logger: Logger): Promise<void> {
  logger.flush?.();
  const file = files.get(logger);
  if (!file || file.writableEnded) return;
  files.delete(logger);
  const finished = once(file, 'finish');
  file.end();
  await finished;
}

function loggerSettings(options: LoggerOptions) {
  return {
    level: options.level,
    base: { pid: process.pid },
    // Defence in depth: a content field a caller put in a log line at any level is replaced by its size.
    redact: { paths: CONTENT_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: contentSize },
  };
}

async function logFile(logsDir: string, rotateAt: string): Promise<Writable> {
  mkdirSync(logsDir, { recursive: true });
  // Loaded only for a log file (a server logging to stdout never needs it).
  const { createStream } = await import('rotating-file-stream');
  // Classic logrotate naming: the generator is given the rotated file's number (none for the current file).
  const name = (index: number | Date | null) => (typeof index === 'number' && index > 0 ? `titan.${index}.log` : 'titan.log');
  const stream = createStream(name as (time: number | Date) => string, { path: logsDir, size: rotateAt, rotate: KEEP_ROTATED });
  // A line written after the kernel closed, or a full disk, must not take the process down with it.
  stream.on('error', (error: Error) => {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_WRITE_AFTER_END') process.stderr.write(`titan: the log file failed: ${error.message}\n`);
  });
  return stream;
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
