// Test support for the routine tests that go from a conversation to the owner's Telegram: on a
// harness, the scripted model over the OpenAI wire format, a fake Bot API, the agent with the
// routine tool, the Telegram channel and the owner (ada) paired on chat 777.
import path from 'node:path';
import { Agent, createLlm, decidePairing, openPairing, startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { RoutineService } from '../../agent/services.ts';
import { channelsSection } from '../../gateway/channels/config.ts';
import { routineDelivery } from '../../gateway/channels/routine-delivery.ts';
import { ChannelRuntime } from '../../gateway/channels/runtime.ts';
import { startFakeTelegram, type FakeTelegram } from '../channels/fakes/telegram.ts';
import type { Harness } from '../gateway/support.ts';
import type { ManualClock } from '../support/manual-clock.ts';

export type OwnerStack = {
  server: ScriptedLlm;
  telegram: FakeTelegram;
  agent: Agent;
  runtime: ChannelRuntime;
  routines: RoutineService;
  close(): Promise<void>;
};

/** `prepare` runs once the agent has started, before the channel and routines (tools to trust, files to write). */
export async function startOwnerStack(harness: Harness, clock: ManualClock, prepare?: (agent: Agent, workspace: string) => Promise<void>): Promise<OwnerStack> {
  const server = await startScriptedLlm();
  const telegram = await startFakeTelegram();
  const llm = createLlm(harness.kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'ROUTINE_KEY' }],
    env: { ROUTINE_KEY: 'sk-routine' },
  });
  const workspace = path.join(harness.home, 'workspace');
  const agent = new Agent(harness.kernel, { workspace, llm: (request, options) => llm.stream(request, options) });
  await agent.start();
  await prepare?.(agent, workspace);
  const runtime = new ChannelRuntime({
    kernel: harness.kernel,
    agent,
    channels: ['telegram'],
    secrets: { TITAN_TELEGRAM_BOT_TOKEN: telegram.token, TITAN_TELEGRAM_WEBHOOK_SECRET: 'hook-secret' },
    config: { ...channelsSection.defaults, telegramApiUrl: telegram.url },
  });
  const routines = await RoutineService.start({ kernel: harness.kernel, agent, ownerId: 'ada', clock, delivery: routineDelivery(harness.kernel, runtime) });
  agent.tools.addSource(routines.tool());
  // The owner's Telegram chat, paired earlier.
  const pairing = await openPairing(harness.kernel.store, { channel: 'telegram', senderId: '777', chatId: '777', senderName: 'Ada' });
  await decidePairing(harness.kernel.store, pairing.code, 'approved');
  return {
    server,
    telegram,
    agent,
    runtime,
    routines,
    async close() {
      await routines.close();
      await runtime.close();
      await agent.close();
      await telegram.close();
      await server.close();
    },
  };
}
