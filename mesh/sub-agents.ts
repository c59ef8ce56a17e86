// A swarm's sub-agents on peers' free slots (the agent's subAgents port). A sub-agent without
// tools goes, as a 'sub-agent' task carrying only its brief, to the least loaded peer that
// advertises sub-agents, when that peer is less busy than this node; the peer runs it with its
// own model and answers its text and tokens. A cancel (the sub-agent timed out here) stops it
// there. An answer of the wrong shape is refused, so the asking side runs the brief itself.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { SubAgentAnswer, SubAgentBrief, SubAgentOffload } from '../agent/api.ts';
import type { Member } from './membership.ts';
import type { TaskMessage } from './messages.ts';
import { peerLoad } from './scheduler.ts';
import type { TaskClient } from './task-client.ts';

export type SubAgentsDeps = { self: string; client: TaskClient; members(): Member[]; localSlots: number };
type Serve = (brief: SubAgentBrief, signal: AbortSignal) => Promise<SubAgentAnswer>;

const MAX_BRIEF_TEXT = 50_000;

export class SubAgents implements SubAgentOffload {
  readonly #deps: SubAgentsDeps;
  #serve: Serve | undefined;
  readonly #running = new Map<string, AbortController>();
  readonly counters = { sent: 0, answeredByPeers: 0, ranForPeers: 0, refused: 0 };

  constructor(deps: SubAgentsDeps) {
    this.#deps = deps;
  }

  /** This node runs peers' sub-agents (the agent lent its model). */
  get serving(): boolean {
    return this.#serve !== undefined;
  }

  serveWith(run: Serve): void {
    this.#serve = run;
  }

  place(runningHere: number): string | undefined {
    const { self, client, members, localSlots } = this.#deps;
    const localLoad = localSlots > 0 ? runningHere / localSlots : Number.POSITIVE_INFINITY;
    let best: { peer: string; load: number } | undefined;
    for (const member of members()) {
      if (member.id === self || member.subAgents !== true) continue;
      const load = peerLoad(member, self, (peer) => client.inFlight(peer));
      if (load !== undefined && (!best || load < best.load)) best = { peer: member.id, load };
    }
    return best && best.load < localLoad ? best.peer : undefined;
  }

  async run(peer: string, brief: SubAgentBrief, signal: AbortSignal): Promise<SubAgentAnswer> {
    const task: TaskMessage = {
      t: 'task',
      id: randomUUID(),
      type: 'sub-agent',
      assignee: peer,
      component: { kind: 'tool', name: 'sub-agent', version: '0.0.0', range: '*', digest: '' },
      fn: 'run',
      args: [brief],
    };
    this.counters.sent++;
    const cancel = () => void this.#deps.client.cancel(task.id, peer);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const value = (await this.#deps.client.run(task)) as Partial<SubAgentAnswer> | undefined;
      if (typeof value?.text !== 'string' || !Number.isFinite(value.tokens) || (value.tokens as number) < 0) {
        throw new TitanError('TITAN_E_MESH_TASK_INVALID', `${peer} answered a sub-agent without its text and tokens`);
      }
      this.counters.answeredByPeers++;
      return { text: value.text, tokens: value.tokens as number };
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** Runs a peer's 'sub-agent' task with this node's model; refused when this node serves none or the brief is malformed. */
  async serve(task: TaskMessage): Promise<SubAgentAnswer> {
    const brief = task.args[0] as Partial<SubAgentBrief> | undefined;
    const refuse = (why: string) => {
      this.counters.refused++;
      return new TitanError('TITAN_E_MESH_TASK_INVALID', `sub-agent ${task.id}: ${why}`);
    };
    if (!this.#serve) throw refuse('this node runs no sub-agents');
    if (typeof brief?.title !== 'string' || typeof brief.prompt !== 'string' || !Number.isInteger(brief.maxSteps) || (brief.maxSteps as number) < 1) {
      throw refuse('a brief needs a title, a prompt and maxSteps');
    }
    const size = brief.title.length + brief.prompt.length + (typeof brief.context === 'string' ? brief.context.length : 0);
    if (size > MAX_BRIEF_TEXT) throw refuse(`the brief is ${size} characters; at most ${MAX_BRIEF_TEXT}`);
    const controller = new AbortController();
    this.#running.set(task.id, controller);
    try {
      const answer = await this.#serve(
        {
          title: brief.title,
          prompt: brief.prompt,
          ...(typeof brief.context === 'string' ? { context: brief.context } : {}),
          maxSteps: brief.maxSteps as number,
        },
        controller.signal,
      );
      this.counters.ranForPeers++;
      return answer;
    } finally {
      this.#running.delete(task.id);
    }
  }

  /** The sender cancelled a sub-agent running here: its model stream stops. */
  cancel(id: string): void {
    this.#running.get(id)?.abort(new TitanError('TITAN_E_MESH_CANCELLED', `sub-agent ${id} was cancelled by its sender`));
  }
}
