// A job request checked and completed: every limit within the config's ceilings (a request over one
// is refused, not silently lowered), the defaults filled in, and a stored row turned back into a Job.
import { statSync } from 'node:fs';
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';
import type { JobRow } from '../../kernel/api.ts';
import type { JobsConfig } from './config.ts';
import { MODES, POLICIES, type Job, type JobGroup, type JobRequest, type JobSpec } from './types.ts';

const MAX_COMMAND = 64 * 1024;
/** What an agent job's container runs: Titan's worker on Titan's own Node, both mounted read-only (see runner.ts). */
export const WORKER_COMMAND = 'exec /opt/titan/node /opt/titan/worker/main.ts';
/** Names the worker's own variables take: a request cannot set them. */
const RESERVED_ENV = new Set(['TITAN_JOB_TOKEN', 'TITAN_SOCKET']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function invalid(message: string): TitanError {
  return new TitanError('TITAN_E_JOB_INVALID', message);
}

function limit(name: string, value: number | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined) return Math.min(fallback, max);
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw invalid(`"${name}" must be a ${integer ? 'whole ' : ''}number`);
  if (value < min || value > max) throw invalid(`"${name}" must be between ${min} and ${max} (got ${value})`);
  return value;
}

/** The spec a request runs with; `ownWorkspace` is the job's own folder, used when it names none. */
export function jobSpec(request: JobRequest, config: JobsConfig, ownWorkspace: string): JobSpec {
  if (typeof request !== 'object' || request === null) throw invalid('a job is an object with a "command"');
  const mode = request.mode ?? 'shell';
  if (!MODES.includes(mode)) throw invalid(`"mode" must be one of ${MODES.join(', ')}`);
  let prompt: string | null = null;
  let command = request.command;
  let image = config.image;
  let maxSteps: number | null = null;
  const env: Record<string, string> = {};
  if (mode !== 'shell') {
    if (typeof request.prompt !== 'string' || !request.prompt.trim()) throw invalid(`a${mode === 'agent' ? 'n' : ''} ${mode} job needs a "prompt"`);
    if (request.prompt.length > MAX_COMMAND) throw invalid(`"prompt" is longer than ${MAX_COMMAND} characters`);
    prompt = request.prompt;
  }
  if (mode === 'agent') {
    // The prompt reaches the worker over its socket, never through the environment or the shell.
    command = WORKER_COMMAND;
    image = config.agentImage;
    maxSteps = limit('maxSteps', request.maxSteps, config.agentMaxSteps, 1, config.agentMaxSteps * 10);
  }
  if (mode === 'coding-agent' && prompt !== null) {
    // The prompt travels in the environment, never spliced into the shell text.
    command = `${config.agentCommand} "$TITAN_PROMPT"`;
    env.TITAN_PROMPT = prompt;
    if (config.agentModel) env.TITAN_MODEL = config.agentModel;
    if (config.agentBaseUrl) env.OPENAI_BASE_URL = config.agentBaseUrl;
  }
  if (typeof command !== 'string' || !command.trim()) throw invalid('"command" is required: the shell command the job runs');
  if (command.length > MAX_COMMAND) throw invalid(`"command" is longer than ${MAX_COMMAND} characters`);
  const policy = request.policy ?? 'workspace-write';
  if (!POLICIES.includes(policy)) throw invalid(`"policy" must be one of ${POLICIES.join(', ')}`);
  if (request.network !== undefined && typeof request.network !== 'boolean') throw invalid('"network" must be true or false');
  if (request.name !== undefined && (typeof request.name !== 'string' || request.name.length > 200))
    throw invalid('"name" must be text of at most 200 characters');
  for (const [key, value] of Object.entries(request.env ?? {})) {
    if (!ENV_NAME.test(key) || typeof value !== 'string') throw invalid(`"env.${key}" must be a variable name with a text value`);
    if (RESERVED_ENV.has(key)) throw invalid(`"env.${key}" is the worker's own variable`);
    env[key] = value;
  }
  let workspace = ownWorkspace;
  if (request.workspace !== undefined) {
    if (typeof request.workspace !== 'string' || !path.isAbsolute(request.workspace)) throw invalid('"workspace" must be an absolute path of a folder');
    let isFolder = false;
    try {
      isFolder = statSync(request.workspace).isDirectory();
    } catch {}
    if (!isFolder) throw invalid(`"workspace" ${request.workspace} is not an existing folder`);
    workspace = path.resolve(request.workspace);
  }
  return {
    command,
    mode,
    prompt,
    name: request.name ?? null,
    workspace,
    ownWorkspace: workspace === ownWorkspace,
    policy,
    network: request.network === true || policy === 'full',
    timeoutS: limit('timeoutS', request.timeoutS, config.timeoutS, 1, config.maxTimeoutS),
    memoryMb: limit('memoryMb', request.memoryMb, config.memoryMb, 8, config.maxMemoryMb),
    cpus: limit('cpus', request.cpus, config.cpus, 0.01, config.maxCpus, false),
    pids: limit('pids', request.pids, config.pids, 8, Math.max(config.pids, 65_536)),
    env,
    origin: typeof request.origin === 'string' ? request.origin.slice(0, 200) : 'api',
    image,
    maxSteps,
    group: request.group === undefined ? null : checkGroup(request.group),
  };
}

function checkGroup(group: JobGroup): JobGroup {
  const ok =
    typeof group === 'object' &&
    group !== null &&
    typeof group.id === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(group.id) &&
    Number.isInteger(group.part) &&
    Number.isInteger(group.of) &&
    group.part >= 1 &&
    group.part <= group.of &&
    typeof group.title === 'string';
  if (!ok) throw invalid('"group" must be {id, part, of, title} with 1 <= part <= of');
  return { id: group.id, part: group.part, of: group.of, title: group.title.slice(0, 200) };
}

const num = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    userId: row.user_id ?? 'owner',
    state: row.state,
    spec: JSON.parse(row.payload) as JobSpec,
    reason: row.reason,
    exitCode: num(row.exit_code),
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    deadlineAt: num(row.deadline_at),
  };
}
