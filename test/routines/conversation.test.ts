// "Every morning at 7 check the repo's tests and tell me on Telegram", end to end: the model
// (the scripted LLM server over the OpenAI wire format) calls the `routine` tool, the owner
// approves it, and at 07:00 in the owner's time zone the routine's turn runs and its answer
// reaches the owner's paired Telegram chat (a fake Bot API).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, createLlm, decidePairing, openPairing, RoutineService, startScriptedLlm, type ScriptedLlm, type TurnEvent } from '../../agent/api.ts';
import { ChannelRuntime } from '../../gateway/channels/runtime.ts';
import { channelsSection } from '../../gateway/channels/config.ts';
import { routineDelivery } from '../../gateway/channels/routine-delivery.ts';
import { startFakeTelegram, type FakeTelegram } from '../channels/fakes/telegram.ts';
import { openHarness, type Harness } from '../gateway/support.ts';
import { ManualClock } from '../support/manual-clock.ts';

const at = (iso: string) => Date.parse(iso);
const ASK = "every morning at 7 check the repo's tests and tell me on Telegram";
const ROUTINE_PROMPT = "Run the repository's tests and tell me how many pass";

let harness: Harness;
let server: ScriptedLlm;
let telegram: FakeTelegram;
let runtime: ChannelRuntime;
let agent: Agent;
let routines: RoutineService;
const clock = new ManualClock(at('2026-12-05T15:00:00Z'));

before(async () => {
  harness = await openHarness();
  server = await startScriptedLlm();
  telegram = await startFakeTelegram();
  const llm = createLlm(harness.kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'ROUTINE_KEY' }],
    env: { ROUTINE_KEY: 'sk-routine' },
  });
  agent = new Agent(harness.kernel, { workspace: path.join(harness.home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
  await agent.start();
  runtime = new ChannelRuntime({
    kernel: harness.kernel,
    agent,
    channels: ['telegram'],
    secrets: { TITAN_TELEGRAM_BOT_TOKEN: telegram.token, TITAN_TELEGRAM_WEBHOOK_SECRET: 'hook-secret' },
    config: { ...channelsSection.defaults, telegramApiUrl: telegram.url },
  });
  routines = await RoutineService.start({ kernel: harness.kernel, agent, ownerId: 'ada', clock, delivery: routineDelivery(harness.kernel, runtime) });
  agent.tools.addSource(routines.tool());
  // The owner's Telegram chat, paired earlier.
  const pairing = await openPairing(harness.kernel.store, { channel: 'telegram', senderId: '777', chatId: '777', senderName: 'Ada' });
  await decidePairing(harness.kernel.store, pairing.code, 'approved');
});

after(async () => {
  await routines.close();
  await runtime.close();
  await agent.close();
  await telegram.close();
  await server.close();
  await harness.close();
});

test('a routine made in conversation runs at 07:00 in its time zone and its answer reaches Telegram', async () => {
  server.load({
    name: 'routine-from-conversation',
    turns: [
      {
        route: 'openai',
        match: { lastUserContains: 'every morning at 7' },
        content: [
          { type: 'text', text: 'I will set that up.' },
          {
            type: 'tool_call',
            name: 'routine',
            arguments: { op: 'create', name: 'morning-tests', cron: '0 7 * * *', timezone: 'Europe/Berlin', prompt: ROUTINE_PROMPT, deliverTo: 'telegram' },
          },
        ],
      },
      {
        route: 'openai',
        match: { lastMessageContains: 'morning-tests' },
        content: [{ type: 'text', text: 'Done: every day at 07:00 I will check and tell you on Telegram.' }],
      },
      { route: 'openai', match: { lastUserContains: ROUTINE_PROMPT }, content: [{ type: 'text', text: 'All 42 tests pass.' }] },
    ],
  });
  const events: TurnEvent[] = [];
  harness.kernel.bus.on('turn.event', (e) => events.push(e));
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, ASK);
  // The tool asks first: a routine acts later, unattended.
  const needed = await harness.kernel.bus.once('turn.event', (e) => e.turnId === turnId && e.type === 'approval.needed');
  assert.equal(needed.type === 'approval.needed' && needed.name, 'routine');
  await agent.decide((needed as { approvalId: string }).approvalId, 'approved', 'ada');
  const outcome = await run.done;
  assert.equal(outcome.state, 'completed');
  assert.match(outcome.text, /every day at 07:00/);

  const [routine] = routines.list();
  assert.equal(routine.name, 'morning-tests');
  assert.deepEqual(routine.trigger, { kind: 'cron', cron: '0 7 * * *' });
  assert.equal(routine.deliverTo, 'telegram');
  assert.equal(routine.nextRunAt, at('2026-12-06T06:00:00Z'), '07:00 in Berlin');
  assert.equal(telegram.sent.length, 0);

  await clock.advance(at('2026-12-06T05:59:00Z'));
  assert.equal((await routines.runs('morning-tests')).length, 0, 'not before its time');
  await clock.advance(at('2026-12-06T06:00:00Z'));
  await routines.idle();
  const [first] = await routines.runs('morning-tests');
  assert.equal(first.outcome, 'succeeded', first.error ?? '');
  assert.equal(first.output, 'All 42 tests pass.');
  assert.deepEqual(
    telegram.sent.map((m) => [String(m.chat_id), m.text]),
    [['777', 'All 42 tests pass.']],
    'the answer went to the paired chat',
  );
  const modelSaw = JSON.stringify(server.timeline().at(-1));
  assert.ok(modelSaw.includes(ROUTINE_PROMPT), 'the routine ran a full turn with its prompt');
});
