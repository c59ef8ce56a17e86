// The kernel log: JSON lines (pino) in $TITAN_HOME/logs/titan.log, so the terminal stays for people.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(logsDir: string, level: string): Logger {
  mkdirSync(logsDir, { recursive: true });
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: path.join(logsDir, 'titan.log'), sync: false, mkdir: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
