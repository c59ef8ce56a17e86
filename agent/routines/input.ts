// A routine as a user describes it (CLI flags, a REST body, the agent's tool call), checked whole
// before anything is stored: each mistake a coded error naming the field, and nothing changes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { RoutineAction, RoutineRecord, RoutineTrigger } from '../../components/stores/ops.ts';
import { checkTimezone, minutesOf, parseCron } from './schedule.ts';

export type RoutineInput = {
  name: string;
  /** Trigger: one of cron, onMessage, webhook; none means run by hand only. */
  cron?: string;
  timezone?: string;
  onMessage?: string;
  /** With onMessage: only messages on this channel ("telegram", "web"...). */
  channel?: string;
  webhook?: boolean;
  /** Action: exactly one of prompt, tool (with args), job. */
  prompt?: string;
  tool?: string;
  args?: Record<string, unknown>;
  job?: Record<string, unknown>;
  deliverTo?: string;
  missed?: RoutineRecord['missed'];
  concurrency?: RoutineRecord['concurrency'];
  /** "22:00-07:00" in the routine's time zone. */
  quietHours?: string;
  enabled?: boolean;
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DELIVER_TO = /^(thread:[A-Za-z0-9_.:-]{1,128}|[a-z]{2,20}(:[^\s]{1,200})?)$/;
const MAX_PATTERN = 500;
const MAX_PROMPT = 20_000;

const invalid = (message: string) => new TitanError('TITAN_E_ROUTINE_INVALID', message);

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The time zone routines use when none is given: the machine's. */
export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function triggerOf(input: RoutineInput, timezone: string): { trigger: RoutineTrigger; secret?: string } {
  const given = [input.cron !== undefined, input.onMessage !== undefined, input.webhook === true].filter(Boolean).length;
  if (given > 1) throw invalid('a routine has one trigger: --cron, --on-message or --webhook (any routine also runs by hand)');
  if (input.cron !== undefined) {
    parseCron(input.cron, timezone);
    return { trigger: { kind: 'cron', cron: input.cron.trim() } };
  }
  if (input.onMessage !== undefined) {
    if (input.onMessage === '' || input.onMessage.length > MAX_PATTERN) throw invalid(`the message pattern must have 1 to ${MAX_PATTERN} characters`);
    try {
      new RegExp(input.onMessage, 'i');
    } catch (error) {
      throw invalid(`the message pattern is not a regular expression: ${(error as Error).message}`);
    }
    if (input.channel !== undefined && !/^[a-z]{2,20}$/.test(input.channel)) throw invalid(`"${input.channel}" is not a channel name`);
    return { trigger: { kind: 'message', pattern: input.onMessage, ...(input.channel ? { channel: input.channel } : {}) } };
  }
  if (input.webhook === true) {
    const secret = randomBytes(24).toString('base64url');
    return { trigger: { kind: 'webhook', secretHash: hashSecret(secret) }, secret };
  }
  return { trigger: { kind: 'manual' } };
}

function actionOf(input: RoutineInput): RoutineAction {
  const given = [input.prompt !== undefined, input.tool !== undefined, input.job !== undefined].filter(Boolean).length;
  if (given !== 1) throw invalid('a routine does one thing: give exactly one of --prompt, --tool (with --args) or --job');
  if (input.prompt !== undefined) {
    if (input.prompt.trim() === '' || input.prompt.length > MAX_PROMPT) throw invalid(`the prompt must have 1 to ${MAX_PROMPT} characters`);
    return { kind: 'prompt', prompt: input.prompt };
  }
  if (input.tool !== undefined) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(input.tool)) throw invalid(`"${input.tool}" is not a tool name`);
    const args = input.args ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw invalid('the tool arguments must be a JSON object');
    return { kind: 'tool', tool: input.tool, args };
  }
  const job = input.job;
  if (typeof job !== 'object' || job === null || Array.isArray(job) || typeof job.command !== 'string' || job.command.trim() === '') {
    throw invalid('the job must be a JSON object with a command (e.g. {"command": "npm test"})');
  }
  return { kind: 'job', job };
}

function quietOf(text: string | undefined): RoutineRecord['quietHours'] {
  if (text === undefined || text === '') return null;
  const [start, end, extra] = text.split('-');
  if (end === undefined || extra !== undefined) throw invalid(`quiet hours "${text}" are not a range like 22:00-07:00`);
  minutesOf(start);
  minutesOf(end);
  return { start, end };
}

/**
 * A new routine from its description (not yet stored, next run not yet set); `secret` is the
 * webhook secret, shown to the user once and never stored.
 */
export function routineFrom(input: RoutineInput, userId: string, now: number): { routine: RoutineRecord; secret?: string } {
  if (typeof input.name !== 'string' || !NAME.test(input.name))
    throw invalid(`"${String(input.name)}" is not a routine name (letters, digits, - and _, at most 64)`);
  const timezone = checkTimezone(input.timezone ?? localTimezone());
  const { trigger, secret } = triggerOf(input, timezone);
  const action = actionOf(input);
  if (input.deliverTo !== undefined && !DELIVER_TO.test(input.deliverTo)) throw invalid(`"${input.deliverTo}" is not a delivery target`);
  if (input.missed !== undefined && !['skip', 'run_once'].includes(input.missed)) throw invalid('the missed-run policy is "skip" or "run_once"');
  if (input.concurrency !== undefined && !['skip', 'queue', 'allow'].includes(input.concurrency))
    throw invalid('the concurrency policy is "skip", "queue" or "allow"');
  const routine: RoutineRecord = {
    id: randomUUID(),
    name: input.name,
    userId,
    enabled: input.enabled ?? true,
    trigger,
    action,
    timezone,
    missed: input.missed ?? 'skip',
    concurrency: input.concurrency ?? 'skip',
    quietHours: quietOf(input.quietHours),
    deliverTo: input.deliverTo ?? null,
    threadId: null,
    nextRunAt: null,
    lastRunAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { routine, secret };
}
