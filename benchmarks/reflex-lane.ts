// One lane of the reflex benchmarks over HTTP: an agent with the reflex service on a kernel, behind
// the gateway's OpenAI-compatible API, in one thread. Shared by reflex.ts and reflex-restart.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReflexConfigs } from '../agent/api.ts';
import { Agent } from '../agent/loop/agent.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { ReflexService } from '../agent/reflex/service.ts';
import { startGateway } from '../gateway/server.ts';
import type { Kernel } from '../kernel/api.ts';

export type Lane = { agent: Agent; reflexes: ReflexService; gateway: Awaited<ReturnType<typeof startGateway>>; thread: string; token: string };

/** Opens a lane on `kernel` (its home is `home`), the model answering through `llm`. */
export async function openLane(kernel: Kernel, home: string, config: ReflexConfigs, llm: LlmStream): Promise<Lane> {
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm });
  await agent.start();
  const reflexes = new ReflexService(kernel, { tools: agent.tools, mineDelayMs: 50, config });
  await reflexes.start();
  agent.useReflexes(reflexes);
  const gateway = await startGateway({ kernel, agent, port: 0, ownerId: 'bench', openAi: true });
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  return { agent, reflexes, gateway, token, thread: (await agent.createThread('bench')).id };
}

/** Sends `text` in the lane's thread: the time the client saw, the answer, and who answered it (a reflex, or the model). */
export async function askLane(lane: Lane, text: string): Promise<{ ms: number; text: string; by?: string }> {
  const started = performance.now();
  const response = await fetch(`${lane.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lane.token}`, 'content-type': 'application/json', 'x-titan-thread': lane.thread },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: text }] }),
  });
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }>; titan_answered_by?: string };
  return { ms: performance.now() - started, text: body.choices[0].message.content, by: body.titan_answered_by };
}

/** Closes the lane and its kernel. */
export async function closeLane(lane: Lane, kernel: Kernel): Promise<void> {
  for (const part of [lane.gateway, lane.reflexes, lane.agent, kernel]) await part.close();
}
