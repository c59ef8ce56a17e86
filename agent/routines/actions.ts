// What a routine does when it runs: a full agent turn in the routine's thread, one tool call, or a
// job through the scheduler; then its answer goes where the routine says (a channel chat, a thread).
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { RoutineRecord } from '../../components/stores/ops.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Thread } from '../../kernel/store-client.ts';
import type { Agent } from '../loop/agent.ts';
import type { RoutineDelivery, RoutineJobs } from '../ports.ts';

export type ActionDeps = {
  kernel: Kernel;
  agent: Agent;
  delivery?: RoutineDelivery;
  jobs?: RoutineJobs;
  /** Stores the routine once its thread is created (its first prompt run). */
  saveThread(routine: RoutineRecord, threadId: string): Promise<void>;
};

/** Threads with a routine's turn running now: a second run at once (policy allow) gets its own thread. */
const busyThreads = new Set<string>();

async function runPrompt(deps: ActionDeps, routine: RoutineRecord, prompt: string): Promise<string> {
  let threadId = routine.threadId;
  if (!threadId || busyThreads.has(threadId)) {
    const thread = await deps.agent.createThread(routine.userId, `Routine: ${routine.name}`);
    if (!routine.threadId) await deps.saveThread(routine, thread.id);
    threadId = thread.id;
  }
  busyThreads.add(threadId);
  try {
    const sent = await deps.agent.send(routine.userId, threadId, prompt, { origin: 'routine' });
    const outcome = await sent.run.done;
    if (outcome.state !== 'completed') {
      const why = outcome.error ? `: ${outcome.error.message}` : '';
      throw new TitanError(outcome.error?.code ?? 'TITAN_E_INTERNAL', `the turn ended ${outcome.state}${why}`);
    }
    return outcome.text;
  } finally {
    busyThreads.delete(threadId);
  }
}

async function runTool(deps: ActionDeps, routine: RoutineRecord, tool: string, args: Record<string, unknown>): Promise<string> {
  const info = (await deps.agent.tools.list()).find((t) => t.name === tool);
  if (!info) throw new TitanError('TITAN_E_TOOL_UNKNOWN', `there is no tool named "${tool}"`);
  deps.agent.tools.checkArguments(info, args);
  // The owner approved the tool by creating the routine (by hand, or by approving the agent's call).
  const callId = `routine:${routine.id}/${randomUUID()}`;
  const input = JSON.stringify(args);
  const source = deps.agent.tools.sourceOf(tool);
  const raw = source ? await source.invoke(tool, input, callId) : ((await deps.kernel.call('tool', tool, 'invoke', [input], { callId })) as string);
  return deps.kernel.leaks.redact(raw, `tool:${tool}`);
}

async function runJob(deps: ActionDeps, routine: RoutineRecord, job: Record<string, unknown>): Promise<string> {
  const why = deps.jobs ? await deps.jobs.unavailable() : 'jobs do not run on this node';
  if (why !== undefined || !deps.jobs) throw new TitanError('TITAN_E_ROUTINE_NO_DOCKER', `the routine "${routine.name}" runs a job, and ${why}`);
  const result = await deps.jobs.run(job, { label: `routine ${routine.name}`, userId: routine.userId, origin: `routine:${routine.id}` });
  if (!result.ok) throw new TitanError('TITAN_E_ROUTINE_JOB', `${result.error ?? 'the job failed'}\n${result.output.slice(-2000)}`);
  return result.output;
}

/** Runs the routine's action once; `input` is what triggered it (a message, a webhook body), appended to a prompt. */
export async function runAction(deps: ActionDeps, routine: RoutineRecord, input?: string): Promise<string> {
  const action = routine.action;
  switch (action.kind) {
    case 'prompt':
      return runPrompt(deps, routine, input ? `${action.prompt}\n\n${input}` : action.prompt);
    case 'tool':
      return runTool(deps, routine, action.tool, action.args);
    case 'job':
      return runJob(deps, routine, action.job);
  }
}

/** The chat of a channel thread: its external id is "<chat>:<sender>" (gateway/channels/runtime.ts). */
function chatOf(externalId: string): string {
  const at = externalId.lastIndexOf(':');
  return at > 0 ? externalId.slice(0, at) : externalId;
}

/** Sends the output where the routine says; answers where it went. A prompt without a target stays in its own thread. */
export async function deliver(deps: ActionDeps, routine: RoutineRecord, output: string): Promise<string | undefined> {
  const target = routine.deliverTo;
  if (!target) return undefined;
  const text = output.trim() === '' ? `(the routine "${routine.name}" finished without output)` : output;
  if (target.startsWith('thread:')) {
    const threadId = target.slice('thread:'.length);
    let thread: Thread;
    try {
      thread = await deps.kernel.store.op('threads.get', { userId: routine.userId, threadId });
    } catch (error) {
      throw new TitanError('TITAN_E_ROUTINE_DELIVERY', `the thread ${threadId} is not one of ${routine.userId}'s`, { cause: error });
    }
    if (thread.id !== routine.threadId) {
      await deps.kernel.store.appendMessages(thread.id, [{ id: randomUUID(), role: 'assistant', content: `Routine "${routine.name}":\n\n${text}` }]);
    }
    if (!thread.channel || !thread.external_id) return target;
    if (!deps.delivery) throw new TitanError('TITAN_E_ROUTINE_DELIVERY', `the thread is a ${thread.channel} chat, and channels are not running`);
    return deps.delivery.deliver(thread.channel, chatOf(thread.external_id), text);
  }
  const at = target.indexOf(':');
  const channel = at < 0 ? target : target.slice(0, at);
  const chat = at < 0 ? undefined : target.slice(at + 1);
  if (!deps.delivery) throw new TitanError('TITAN_E_ROUTINE_DELIVERY', `cannot deliver to ${target}: channels are not running`);
  return deps.delivery.deliver(channel, chat, text);
}
