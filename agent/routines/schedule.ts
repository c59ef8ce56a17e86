// When a routine runs: cron expressions read by croner in the routine's time zone, quiet hours on
// the routine's wall clock, and what a restart does with the runs it missed. Pure functions of the
// stored routine and a time, so the next run is always computed from stored state.
import { Cron } from 'croner';
import { TitanError } from '../../common/errors.ts';
import type { RoutineRecord } from '../../components/stores/ops.ts';

/** Throws TITAN_E_ROUTINE_TIMEZONE unless `timezone` is an IANA zone this Node knows. */
export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timezone });
  } catch {
    throw new TitanError('TITAN_E_ROUTINE_TIMEZONE', `"${timezone}" is not a time zone`);
  }
  return timezone;
}

/** Parsed schedules by time zone and expression: parsing costs more than asking for the next time. */
const parsed = new Map<string, Cron>();
const MAX_PARSED = 1000;

/** The expression as a croner schedule (never started: only asked for times); TITAN_E_ROUTINE_CRON when it is not one. */
export function parseCron(expression: string, timezone: string): Cron {
  const key = `${timezone}\n${expression}`;
  const known = parsed.get(key);
  if (known) return known;
  checkTimezone(timezone);
  const fields = expression.trim().split(/\s+/);
  // croner also takes seven fields (years) and nicknames; five or six is what users and the docs mean.
  if (!/^@(yearly|annually|monthly|weekly|daily|hourly)$/.test(expression.trim()) && (fields.length < 5 || fields.length > 6)) {
    throw new TitanError('TITAN_E_ROUTINE_CRON', `"${expression}" has ${fields.length} field(s); a cron expression has five (or six with seconds)`);
  }
  let cron: Cron;
  try {
    cron = new Cron(expression.trim(), { timezone, mode: fields.length === 6 ? '6-part' : 'auto' });
  } catch (error) {
    throw new TitanError('TITAN_E_ROUTINE_CRON', `"${expression}" is not a cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`);
  }
  if (!cron.nextRun(new Date())) throw new TitanError('TITAN_E_ROUTINE_CRON', `"${expression}" never fires`);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(key, cron);
  return cron;
}

/** The first time strictly after `after` (ms) the routine's schedule fires; null for routines without one. */
export function nextFire(routine: Pick<RoutineRecord, 'trigger' | 'timezone'>, after: number): number | null {
  if (routine.trigger.kind !== 'cron') return null;
  return parseCron(routine.trigger.cron, routine.timezone).nextRun(new Date(after))?.getTime() ?? null;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" as minutes after midnight; TITAN_E_ROUTINE_INVALID otherwise. */
export function minutesOf(text: string): number {
  const match = HHMM.exec(text);
  if (!match) throw new TitanError('TITAN_E_ROUTINE_INVALID', `"${text}" is not a time of day (HH:MM, 24-hour)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes after midnight on the wall clock of `timezone` at `at` (ms). */
export function wallMinutes(at: number, timezone: string): number {
  let format = clocks.get(timezone);
  if (!format) clocks.set(timezone, (format = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = format.formatToParts(new Date(at));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

/** Whether `at` falls in the routine's quiet hours (start inclusive, end exclusive; a range may wrap midnight). */
export function inQuietHours(at: number, quiet: RoutineRecord['quietHours'], timezone: string): boolean {
  if (!quiet) return false;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const now = wallMinutes(at, timezone);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * What a start does with a cron routine whose stored next run is in the past (Titan was down):
 * `missed` is the first missed time, or null when none was missed; `run` says whether one run is
 * owed for them (policy run_once); `next` is the next run from now.
 */
export function catchUp(
  routine: Pick<RoutineRecord, 'trigger' | 'timezone' | 'nextRunAt' | 'missed'>,
  now: number,
): { missed: number | null; run: boolean; next: number | null } {
  const next = nextFire(routine, now);
  if (routine.nextRunAt === null || routine.nextRunAt > now) return { missed: null, run: false, next: routine.nextRunAt ?? next };
  return { missed: routine.nextRunAt, run: routine.missed === 'run_once', next };
}
