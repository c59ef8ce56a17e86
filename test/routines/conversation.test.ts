// "Every morning at 7 check the repo's tests and tell me on Telegram", end to end: the model
// (the scripted LLM server over the OpenAI wire format) calls the `routine` tool, the owner
// approves it, and at 07:00 in the owner's time zone the routine's turn runs and its answer
// reaches the owner's paired Telegram chat (a fake Bot API).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Agent, RoutineService, ScriptedLlm, TurnEvent } from '../../agent/api.ts';
import type { FakeTelegram } from '../channels/fakes/telegram.ts';
import { openHarness, type Harness } from '../gateway/support.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { type OwnerStack, startOwnerStack } from './owner-stack.ts';

const at = (iso: string) => Date.parse(iso);
const ASK = "every morning at 7 check the repo's tests and tell me on Telegram";
const ROUTINE_PROMPT = "Run the repository's tests and tell me how many pass";

let harness: Harness;
let server: ScriptedLlm;
let telegram: FakeTelegram;
let stack: OwnerStack;
let agent: Agent;
let routines: RoutineService;
const clock = new ManualClock(at('2026-12-05T15:00:00Z'));

before(async () => {
  harness = await openHarness();
  stack = await startOwnerStack(harness, clock);
  ({ server, telegram, agent, routines } = stack);
});

after(async () => {
  await stack.close();
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
