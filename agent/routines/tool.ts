// The `routine` tool: the agent makes, lists, pauses, resumes, runs and removes routines from a
// conversation ("every morning at 7 check the tests and tell me on Telegram"). A host-side tool
// (beside the MCP servers' tools) because it drives the routine service, which lives in the host.
// It asks for the owner's approval: a routine acts later, unattended.
import { TitanError } from '../../common/errors.ts';
import type { Agent } from '../loop/agent.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';
import type { RoutineInput } from './input.ts';
import type { RoutineService, RoutineView } from './service.ts';

export const ROUTINE_TOOL = 'routine';

const DESCRIPTION = [
  'Create, list, pause, resume, run or remove routines: work Titan does later on its own.',
  'A routine has one trigger: `cron` (5 fields, read in `timezone`, an IANA name; e.g. "0 7 * * *" is 07:00 daily),',
  '`onMessage` (a regular expression a new message must match), or none (run by hand only).',
  'It does one thing: `prompt` (a full agent turn with tools; say exactly what to check or do), `tool` with `args`,',
  'or `job`: a command in a Docker sandbox ({"command": "npm test", "workspace": "/path/to/repo", "policy": "read-only"}).',
  '`deliverTo` sends the answer to a chat: "telegram" (the owner\'s paired chat), "telegram:<chat id>", "slack:<channel>";',
  'omitted, it comes to this conversation. `quietHours` "22:00-07:00" skips runs at night.',
].join(' ');

const SCHEMA = {
  type: 'object',
  required: ['op'],
  additionalProperties: false,
  properties: {
    op: { enum: ['create', 'list', 'pause', 'resume', 'run', 'remove'] },
    name: { type: 'string', description: 'short kebab-case name, e.g. "morning-tests"' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    onMessage: { type: 'string' },
    prompt: { type: 'string' },
    tool: { type: 'string' },
    args: { type: 'object' },
    job: { type: 'object' },
    deliverTo: { type: 'string' },
    quietHours: { type: 'string' },
    missed: { enum: ['skip', 'run_once'] },
    concurrency: { enum: ['skip', 'queue', 'allow'] },
  },
};

type Call = Omit<RoutineInput, 'name'> & { op: 'create' | 'list' | 'pause' | 'resume' | 'run' | 'remove'; name?: string };

/** Who wrote in which thread lately: a routine made in a conversation belongs to its user and answers there. */
const MAX_REMEMBERED = 1000;

export class RoutineTool implements ToolSource {
  readonly #service: RoutineService;
  readonly #agent: Agent;
  readonly #users = new Map<string, string>();

  constructor(service: RoutineService, agent: Agent) {
    this.#service = service;
    this.#agent = agent;
    agent.onMessage((message) => {
      this.#users.delete(message.threadId);
      this.#users.set(message.threadId, message.userId);
      if (this.#users.size > MAX_REMEMBERED) this.#users.delete(this.#users.keys().next().value as string);
    });
  }

  tools(): ToolInfo[] {
    return [{ name: ROUTINE_TOOL, description: DESCRIPTION, schema: SCHEMA, needsApproval: true, digest: 'host:routine@1', sideEffects: true }];
  }

  owns(name: string): boolean {
    return name === ROUTINE_TOOL;
  }

  cancel(): void {}

  /** The conversation a call came from: the kernel-level call id is "<turnId>/<callId>". */
  #conversation(callId: string): { threadId: string; userId: string } | undefined {
    const turnId = callId.slice(0, callId.indexOf('/'));
    const threadId = this.#agent.running().find((run) => run.turnId === turnId)?.threadId;
    const userId = threadId ? this.#users.get(threadId) : undefined;
    return threadId && userId ? { threadId, userId } : undefined;
  }

  async invoke(_name: string, input: string, callId: string): Promise<string> {
    const { op, name, ...rest } = JSON.parse(input) as Call;
    const shown = (r: RoutineView) => ({
      name: r.name,
      enabled: r.enabled,
      trigger: r.trigger,
      action: r.action.kind,
      deliverTo: r.deliverTo,
      nextRunAt: r.nextRunAt === null ? null : new Date(r.nextRunAt).toISOString(),
      timezone: r.timezone,
    });
    if (op === 'list') return JSON.stringify({ routines: this.#service.list().map(shown) });
    if (!name) throw new TitanError('TITAN_E_ROUTINE_INVALID', `"${op}" needs the routine's name`);
    switch (op) {
      case 'create': {
        const here = this.#conversation(callId);
        const deliverTo = rest.deliverTo ?? (here ? `thread:${here.threadId}` : undefined);
        const { routine } = await this.#service.add({ ...rest, name, deliverTo }, here?.userId ?? this.#service.ownerId);
        return JSON.stringify({ created: shown(routine) });
      }
      case 'pause':
      case 'resume':
        return JSON.stringify({ [op === 'pause' ? 'paused' : 'resumed']: shown(await this.#service.setEnabled(name, op === 'resume')) });
      case 'run': {
        const run = await this.#service.run(name).done;
        return JSON.stringify({ outcome: run.outcome, output: run.output, error: run.error });
      }
      case 'remove':
        return JSON.stringify(await this.#service.remove(name));
    }
  }
}
