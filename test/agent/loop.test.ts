// The agent loop as a user meets it, with a model stand-in that streams Titan's LLM events (the
// provider components and the scripted server are tested on their own): text streams as events
// before the turn ends, tool calls run early, approvals wait and expire, failures keep what
// arrived, interrupts stop the stream, and a pending approval survives a restart.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TitanError } from '../../common/errors.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { scriptedModel, toolCall, type Step } from '../support/model-double.ts';

async function setup(
  t: { after(fn: () => Promise<void>): void },
  steps: Step[],
  options: { guardedTools?: string[]; approvalTtlMs?: number; home?: string } = {},
) {
  const { home, cleanup } = options.home ? { home: options.home, cleanup: async () => {} } : await tempHome('titan-agent-');
  const kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  const llm = scriptedModel(steps);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm, guardedTools: options.guardedTools, approvalTtlMs: options.approvalTtlMs });
  await agent.start();
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await agent.close();
    await kernel.close();
  };
  t.after(async () => {
    await close();
    if (!options.home) await cleanup();
  });
  return { kernel, agent, llm, events, home, close };
}

test('text streams as events before the turn ends; the messages and a coalesced event log are stored', async (t) => {
  const { kernel, agent, events } = await setup(t, [
    [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo ' },
      { type: 'text', text: 'there' },
      { type: 'usage', input_tokens: 5, output_tokens: 3 },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const thread = await agent.createThread('ada');
  const sent = await agent.send('ada', thread.id, 'hi');
  const stored = await kernel.store.listMessages(thread.id);
  assert.deepEqual(
    stored.map((m) => [m.role, m.content]),
    [['user', 'hi']],
    'the message is committed when send() answers',
  );
  const outcome = await sent.run.done;
  assert.equal(outcome.state, 'completed');
  const types = events.filter((e) => e.turnId === sent.turnId).map((e) => e.type);
  assert.deepEqual(types, ['turn.started', 'text', 'text', 'text', 'turn.completed']);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'events are numbered in order',
  );
  assert.deepEqual(
    (await kernel.store.listMessages(thread.id)).map((m) => [m.role, m.content]),
    [
      ['user', 'hi'],
      ['assistant', 'Hello there'],
    ],
  );
  const logged = await kernel.store.op('events.list', { turnId: sent.turnId });
  assert.deepEqual(
    logged.map((e) => e.type),
    ['turn.started', 'text', 'turn.completed'],
    'text deltas are coalesced in the store',
  );
  assert.equal(JSON.parse(logged[1].data).text, 'Hello there');
  assert.equal((await kernel.store.op('turns.get', { id: sent.turnId })).state, 'completed');
});

test('a tool call runs as soon as its arguments are complete, before the model message ends', async (t) => {
  const { kernel, agent, events, llm } = await setup(t, [
    [
      { type: 'text', text: 'Let me echo.' },
      ...toolCall(0, 'call-1', 'echo', { text: 'ping' }, 5),
      { wait: 150 },
      { type: 'text', text: ' (still talking)' },
      { type: 'stop', reason: 'tool_use' },
    ],
    [
      { type: 'text', text: 'It said ping.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'echo ping');
  assert.equal((await run.done).state, 'completed');
  const mine = events.filter((e) => e.turnId === turnId);
  const started = mine.findIndex((e) => e.type === 'tool.started');
  const lateText = mine.findIndex((e) => e.type === 'text' && e.text === ' (still talking)');
  assert.ok(started >= 0 && started < lateText, 'the tool started while the model was still streaming');
  assert.equal((mine[started] as Extract<TurnEvent, { type: 'tool.started' }>).early, true);
  assert.ok(
    mine.some((e) => e.type === 'tool.draft' && e.arguments === '{"text":"ping"}'),
    'the live draft of the arguments was shown',
  );
  const completed = mine.find((e) => e.type === 'tool.completed') as Extract<TurnEvent, { type: 'tool.completed' }>;
  assert.deepEqual([completed.ok, completed.result], [true, { text: 'ping' }]);
  // The second model request carried the tool's result.
  const second = llm.requests[1] as { messages: Array<{ role: string; content: string; tool_call_id?: string }> };
  assert.deepEqual(second.messages.at(-1), { role: 'tool', content: '{"text":"ping"}', tool_call_id: 'call-1', name: 'echo' });
  const roles = (await kernel.store.listMessages(thread.id)).map((m) => m.role);
  assert.deepEqual(roles, ['user', 'assistant', 'tool', 'assistant']);
});

test('an unknown tool and invalid JSON arguments become error results the model reads; the turn goes on', async (t) => {
  const { agent, events } = await setup(t, [
    [
      ...toolCall(0, 'c1', 'teleport', { to: 'mars' }),
      { type: 'tool_call', index: 1, id: 'c2', name: 'echo', arguments_delta: '{"text": nope' },
      { type: 'stop', reason: 'tool_use' },
    ],
    [
      { type: 'text', text: 'Neither worked.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'go');
  assert.equal((await run.done).state, 'completed');
  const failures = events.filter((e) => e.turnId === turnId && e.type === 'tool.completed') as Array<Extract<TurnEvent, { type: 'tool.completed' }>>;
  assert.deepEqual(
    failures.map((f) => [f.ok, f.error?.code]),
    [
      [false, 'TITAN_E_TOOL_UNKNOWN'],
      [false, 'TITAN_E_TOOL_ARGUMENTS'],
    ],
  );
});

test('a stream that fails mid-way ends the turn with an error event, keeps what arrived, and the thread stays usable', async (t) => {
  const { kernel, agent, events } = await setup(t, [
    [{ type: 'text', text: 'Partial ans' }, { fail: new TitanError('TITAN_E_PROVIDER_STREAM', 'the connection was cut') }],
    [
      { type: 'text', text: 'Second try works.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const thread = await agent.createThread('ada');
  const first = await agent.send('ada', thread.id, 'question');
  const outcome = await first.run.done;
  assert.equal(outcome.state, 'failed');
  const error = events.find((e) => e.turnId === first.turnId && e.type === 'error') as Extract<TurnEvent, { type: 'error' }>;
  assert.equal(error.code, 'TITAN_E_PROVIDER_STREAM');
  assert.equal((await kernel.store.op('turns.get', { id: first.turnId })).state, 'failed');
  const second = await agent.send('ada', thread.id, 'again');
  assert.equal((await second.run.done).state, 'completed');
  assert.deepEqual(
    (await kernel.store.listMessages(thread.id)).map((m) => m.content),
    ['question', 'Partial ans [cut off]', 'again', 'Second try works.'],
  );
});

test('an interrupt stops the model stream; the turn ends interrupted', async (t) => {
  const { agent, events } = await setup(t, [
    [{ type: 'text', text: 'A long answer' }, { wait: 5000 }, { type: 'text', text: 'never sent' }, { type: 'stop', reason: 'end_turn' }],
  ]);
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'talk');
  while (!events.some((e) => e.turnId === turnId && e.type === 'text')) await new Promise((r) => setTimeout(r, 5));
  assert.equal(agent.interrupt(turnId, 'ada'), true);
  assert.equal((await run.done).state, 'interrupted');
  assert.ok(events.some((e) => e.turnId === turnId && e.type === 'turn.interrupted'));
  assert.ok(!events.some((e) => e.type === 'text' && e.text === 'never sent'));
});

test('a guarded tool waits for approval: approved runs it, rejected tells the model, expired is a rejection with its reason', async (t) => {
  const call = (id: string) => [...toolCall(0, id, 'echo', { text: id }), { type: 'stop' as const, reason: 'tool_use' }];
  const done = [
    { type: 'text' as const, text: 'ok' },
    { type: 'stop' as const, reason: 'end_turn' },
  ];
  const { kernel, agent, events } = await setup(t, [call('a1'), done, call('a2'), done, call('a3'), done], { guardedTools: ['echo'], approvalTtlMs: 300 });
  const thread = await agent.createThread('ada');
  const waitFor = async (turnId: string) => {
    for (;;) {
      const needed = events.find((e) => e.turnId === turnId && e.type === 'approval.needed') as Extract<TurnEvent, { type: 'approval.needed' }> | undefined;
      if (needed) return needed;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const first = await agent.send('ada', thread.id, 'one');
  const needed = await waitFor(first.turnId);
  assert.equal((await kernel.store.op('turns.get', { id: first.turnId })).state, 'awaiting_approval');
  assert.equal((await agent.approvals.pending()).length, 1, 'the pending approval is persisted');
  await agent.decide(needed.approvalId, 'approved', 'ada');
  assert.equal((await first.run.done).state, 'completed');
  assert.ok(events.some((e) => e.turnId === first.turnId && e.type === 'tool.completed' && e.ok));

  const second = await agent.send('ada', thread.id, 'two');
  await agent.decide((await waitFor(second.turnId)).approvalId, 'rejected', 'ada', 'not now');
  await second.run.done;
  const rejected = events.find((e) => e.turnId === second.turnId && e.type === 'tool.completed') as Extract<TurnEvent, { type: 'tool.completed' }>;
  assert.deepEqual([rejected.ok, rejected.error?.code], [false, 'TITAN_E_APPROVAL_REJECTED']);
  assert.match(rejected.error!.message, /rejected this call: not now/);

  const third = await agent.send('ada', thread.id, 'three');
  const late = await waitFor(third.turnId);
  await third.run.done; // nobody answers: it expires after 300 ms
  const decided = events.find((e) => e.turnId === third.turnId && e.type === 'approval.decided') as Extract<TurnEvent, { type: 'approval.decided' }>;
  assert.equal(decided.decision, 'expired');
  await assert.rejects(agent.decide(late.approvalId, 'approved', 'ada'), /already expired|expired/);
});

test('a pending approval survives a restart: deciding it afterwards resumes the turn', async (t) => {
  const { home, cleanup } = await tempHome('titan-agent-restart-');
  const first = await setup(t, [[...toolCall(0, 'r1', 'echo', { text: 'after restart' }), { type: 'stop', reason: 'tool_use' }]], {
    guardedTools: ['echo'],
    home,
  });
  const thread = await first.agent.createThread('ada');
  const { turnId } = await first.agent.send('ada', thread.id, 'do it later');
  while (!first.events.some((e) => e.turnId === turnId && e.type === 'approval.needed')) await new Promise((r) => setTimeout(r, 5));
  await first.close();

  const second = await setup(
    t,
    [
      [
        { type: 'text', text: 'Done after the restart.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
    { guardedTools: ['echo'], home },
  );
  // After the second kernel's own close (hooks run in the order they are added): removing the home
  // under a kernel that still runs races its store's files (ENOTEMPTY).
  t.after(cleanup);
  const [pending] = await second.agent.approvals.pending();
  assert.equal(pending.turn_id, turnId);
  await second.agent.decide(pending.id, 'approved', 'ada');
  const resumed = second.agent.running().find((r) => r.turnId === turnId)!;
  assert.equal((await resumed.done).state, 'completed');
  assert.deepEqual(
    (await second.kernel.store.listMessages(thread.id)).map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
  );
  assert.ok(second.events.some((e) => e.turnId === turnId && e.type === 'tool.completed' && e.ok));
});

test('the system prompt comes from the workspace identity files, built once and rebuilt only when one changes', async (t) => {
  const steps = Array.from({ length: 3 }, () => [
    { type: 'text' as const, text: 'ok' },
    { type: 'stop' as const, reason: 'end_turn' },
  ]);
  const { agent, llm, home } = await setup(t, steps);
  const workspace = path.join(home, 'workspace');
  await mkdir(workspace, { recursive: true });
  await writeFile(path.join(workspace, 'SOUL.md'), 'Be brief.');
  agent.identity.close(); // start watching from the file written above
  const thread = await agent.createThread('ada');
  for (const text of ['one', 'two']) await (await agent.send('ada', thread.id, text)).run.done;
  assert.equal(agent.identity.builds, 1, 'two turns, one assembly');
  assert.match((llm.requests[0] as { messages: Array<{ content: string }> }).messages[0].content, /## SOUL\.md\nBe brief\./);
  await writeFile(path.join(workspace, 'USER.md'), 'The user is Ada.');
  await new Promise((r) => setTimeout(r, 100));
  await (await agent.send('ada', thread.id, 'three')).run.done;
  assert.equal(agent.identity.builds, 2);
  assert.match((llm.requests[2] as { messages: Array<{ content: string }> }).messages[0].content, /## USER\.md\nThe user is Ada\./);
});

test('an interrupt also stops a running tool: the shell command is killed and the turn ends at once', async (t) => {
  const { agent, events } = await setup(t, [[...toolCall(0, 's1', 'shell', { command: 'echo started; sleep 30' }), { type: 'stop', reason: 'tool_use' }]]);
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, 'run something long');
  while (!events.some((e) => e.turnId === turnId && e.type === 'approval.needed')) await new Promise((r) => setTimeout(r, 5));
  const needed = events.find((e) => e.turnId === turnId && e.type === 'approval.needed') as Extract<TurnEvent, { type: 'approval.needed' }>;
  await agent.decide(needed.approvalId, 'approved', 'ada');
  while (!events.some((e) => e.turnId === turnId && e.type === 'tool.output')) await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  agent.interrupt(turnId, 'ada');
  const outcome = await run.done;
  assert.equal(outcome.state, 'interrupted');
  assert.ok(performance.now() - started < 10_000, 'the 30 s command did not run to its end');
  const completed = events.find((e) => e.turnId === turnId && e.type === 'tool.completed') as Extract<TurnEvent, { type: 'tool.completed' }>;
  assert.equal((completed.result as { cancelled: boolean }).cancelled, true);
});
