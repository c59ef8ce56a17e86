// Turns across a crash, as a user meets them: a turn a dead process left streaming ends as
// interrupted at the next start, with what it had said kept and marked cut off, a tool call it left
// open answered as interrupted, a final event for resuming streams, and the thread free at once.
// And the end of a turn as one write: a client that sends as soon as the answer appears is never
// told a turn is still running.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import { RESUME_GAP } from '../../agent/loop/recovery.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';
import { BACKENDS, lazyPostgres, openStoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

async function open(t: { after(fn: () => Promise<void>): void }, steps: Step[] = []) {
  const { home, cleanup } = await tempHome('titan-recovery-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: scriptedModel(steps) });
  t.after(async () => {
    await agent.close();
    await kernel.close();
    await cleanup();
  });
  return { kernel, agent };
}

const answer = (text: string): Step => [
  { type: 'text', text },
  { type: 'stop', reason: 'end_turn' },
];

test('a turn left streaming by a dead process ends interrupted at start: partial text kept and marked, open tool call answered, final event stored', async (t) => {
  const { kernel, agent } = await open(t, [answer('Fresh answer.')]);
  const store = kernel.store;
  await store.createThread({ id: 'crashed', userId: 'ada' });
  // What a process killed mid-turn leaves: the turn streaming, one tool-calling step stored, the
  // second step's text only in the event log.
  await store.op('turns.begin', { userId: 'ada', threadId: 'crashed', turnId: 'dead-turn', message: { id: 'q1', role: 'user', content: 'do two things' } });
  const step1 = JSON.stringify({ titan: 'assistant', text: 'First I look. ', tool_calls: [{ id: 'c1', name: 'echo', arguments: '{}' }] });
  const step2 = JSON.stringify({ titan: 'assistant', text: 'Then I act. ', tool_calls: [{ id: 'c2', name: 'echo', arguments: '{}' }] });
  await store.appendMessages('crashed', [
    { id: 'dead-turn:a1', role: 'assistant', turnId: 'dead-turn', content: step1 },
    {
      id: 'dead-turn:c1:result',
      role: 'tool',
      turnId: 'dead-turn',
      content: JSON.stringify({ titan: 'tool', tool_call_id: 'c1', name: 'echo', content: '{}' }),
    },
    { id: 'dead-turn:a2', role: 'assistant', turnId: 'dead-turn', content: step2 },
  ]);
  await store.op('events.append', {
    turnId: 'dead-turn',
    events: [
      { seq: 1, type: 'turn.started', data: { type: 'turn.started', userMessageId: 'q1' } },
      { seq: 2, type: 'text', data: { type: 'text', text: 'First I look. ' } },
      { seq: 5, type: 'text', data: { type: 'text', text: 'Then I act. ' } },
      { seq: 9, type: 'text', data: { type: 'text', text: 'And the answer is forty' } },
    ],
  });

  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  const { interrupted } = await agent.start();
  assert.equal(interrupted, 1);

  const turn = await store.op('turns.get', { id: 'dead-turn' });
  assert.equal(turn.state, 'interrupted');
  assert.match(turn.error!, /^TITAN_E_INTERRUPTED/);
  const messages = await store.listMessages('crashed');
  const partial = messages.find((m) => m.id === 'dead-turn:partial');
  assert.equal(partial?.content, 'And the answer is forty [cut off]', 'the text it was writing is kept, marked cut off');
  const open2 = messages.find((m) => m.id === 'dead-turn:c2:result');
  assert.match(open2?.content ?? '', /TITAN_E_INTERRUPTED/, 'the call left without a result is answered as interrupted');

  const stored = await store.op('events.list', { turnId: 'dead-turn' });
  const last = stored.at(-1)!;
  assert.equal(last.type, 'turn.interrupted');
  assert.equal(Number(last.seq), 9 + RESUME_GAP, 'past every number the dead process may have sent');
  assert.equal(JSON.parse(last.data).by, 'restart');
  assert.ok(events.some((e) => e.turnId === 'dead-turn' && e.type === 'turn.interrupted'));

  // The thread takes a new message at once, and the next turn does not re-run the open call.
  const sent = await agent.send('ada', 'crashed', 'again');
  const outcome = await sent.run.done;
  assert.equal(outcome.state, 'completed');
  assert.equal(outcome.text, 'Fresh answer.');

  // A second start finds nothing more to recover.
  assert.equal((await agent.start()).interrupted, 0);
});

for (const backend of BACKENDS) {
  test(`${backend}: the answer and the completion are one write: a send on turn.completed, or on seeing the answer stored, is never refused`, {
    timeout: 240_000,
  }, async (t) => {
    const rounds = 20;
    const handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'oneWrite' });
    const kernel = handle.kernel;
    const agent = new Agent(kernel, {
      workspace: path.join(handle.home, 'workspace'),
      llm: scriptedModel(Array.from({ length: rounds + 1 }, (_, i) => answer(`answer ${i}`))),
    });
    t.after(async () => {
      await agent.close();
      await handle.cleanup();
    });
    await agent.start();
    const thread = await agent.createThread('ada');
    const refused: string[] = [];
    const answeredWhileRunning = new Set<string>();
    let sends = 0;
    const finished = new Promise<void>((resolve) => {
      kernel.bus.on('turn.event', (event) => {
        if (event.type !== 'turn.completed' || event.threadId !== thread.id) return;
        if (sends >= rounds) return resolve();
        sends += 1;
        // As a client does: the moment the turn is reported done, send the next message.
        agent.send('ada', thread.id, `question ${sends}`).catch((error: Error) => refused.push(error.message));
      });
    });
    // Another client polls the stored messages: an answer it sees never belongs to a running turn.
    const first = await agent.send('ada', thread.id, 'question 0');
    let polls = 0;
    const polled = (async () => {
      while (sends < rounds && polls < 2000) {
        polls += 1;
        await new Promise((r) => setTimeout(r, 2));
        const last = (await kernel.store.listMessages(thread.id, 2)).at(-1);
        if (last?.role === 'assistant' && last.turn_id) {
          const turn = await kernel.store.op('turns.get', { id: last.turn_id });
          if (turn.state !== 'completed') answeredWhileRunning.add(last.turn_id);
        }
      }
    })();
    await first.run.done;
    await finished;
    await polled;
    t.diagnostic(
      `${backend}: ${rounds} sends on turn.completed, ${refused.length} refused; ${polls} polls, ${answeredWhileRunning.size} answers seen before their turn completed`,
    );
    assert.deepEqual(refused, [], 'no send right after an answer is refused');
    assert.deepEqual([...answeredWhileRunning], [], 'no stored answer belongs to a turn that still runs');
    const messages = await kernel.store.listMessages(thread.id, 100);
    assert.equal(messages.filter((m) => m.role === 'assistant').length, rounds + 1);
  });
}
