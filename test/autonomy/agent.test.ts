// The agent pursuing a goal, end to end with the scripted model over its real wire format: asked
// for a multi-step task, the model starts a goal through its tool; the steps run as tool calls (one
// asks for approval, which is recorded) and as a turn of their own; the check fails, the model
// replans within the budget, the second plan passes its check with the file's text as evidence.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startAutonomy, type Autonomy } from '../../agent/autonomy/start.ts';
import type { GoalEvent } from '../../agent/autonomy/events.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import { Agent } from '../../agent/loop/agent.ts';
import type { TurnEvent } from '../../agent/loop/turn-events.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

let server: ScriptedLlm;
let kernel: Kernel;
let agent: Agent;
let autonomy: Autonomy;
let cleanup: () => Promise<void>;
const turnEvents: TurnEvent[] = [];
const goalEvents: GoalEvent[] = [];

before(async () => {
  let home: string;
  ({ home, cleanup } = await tempHome('titan-autonomy-'));
  kernel = await Kernel.open({ home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
  server = await startScriptedLlm();
  const llm = createLlm(kernel, {
    providers: [{ name: 'openai', component: 'openai', baseUrl: server.baseUrls.openai, model: 'gpt-test', apiKeyEnv: 'E2E_KEY' }],
    env: { E2E_KEY: 'sk-e2e' },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
  await agent.start();
  autonomy = startAutonomy(kernel, agent, { replanBudget: 1 });
  kernel.bus.on('turn.event', (e) => turnEvents.push(e));
  kernel.bus.on('goal.event', (e) => goalEvents.push(e));
});

after(async () => {
  await agent?.close();
  await server?.close();
  await kernel?.close();
  await cleanup?.();
});

/** Approves every write the goal asks about, as a person watching the chat would. */
function approveAsked(turnId: string): () => void {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const e of turnEvents) {
      if (e.turnId !== turnId || e.type !== 'approval.needed' || seen.has(e.approvalId)) continue;
      seen.add(e.approvalId);
      void agent.decide(e.approvalId, 'approved', 'ada');
    }
  }, 5);
  return () => clearInterval(timer);
}

test('a multi-step request becomes a goal whose plan runs, fails its check, is replanned and verified', { timeout: 120_000 }, async () => {
  server.load({
    name: 'pursue-notes',
    turns: [
      {
        match: { lastUserContains: 'Set up my notes' },
        content: [
          {
            type: 'tool_call',
            name: 'autonomy__pursue',
            arguments: {
              title: 'notes file says hello',
              steps: [
                { title: 'say what we do', kind: 'tool', tool: 'echo', arguments: { text: 'writing notes' } },
                { title: 'write the draft', kind: 'tool', tool: 'write-file', arguments: { path: 'notes.txt', content: 'draft' } },
                { title: 'summarise', kind: 'turn', prompt: 'Summarise what the notes are for.' },
              ],
              verify: { tool: 'read-file', arguments: { path: 'notes.txt' }, expect: 'hello' },
            },
          },
        ],
      },
      { match: { lastUserContains: 'Summarise what the notes' }, content: [{ type: 'text', text: 'They hold the greeting.' }] },
      {
        match: { lastMessageContains: '"passed":false' },
        content: [
          {
            type: 'tool_call',
            name: 'autonomy__replan',
            arguments: {
              reason: 'the file must say hello',
              steps: [{ title: 'write hello', kind: 'tool', tool: 'write-file', arguments: { path: 'notes.txt', content: 'hello there' } }],
            },
          },
        ],
      },
      { match: { lastMessageContains: 'The goal is complete.' }, content: [{ type: 'text', text: 'Your notes now say hello.' }] },
    ],
  });
  const thread = await agent.createThread('ada');
  const sent = await agent.send('ada', thread.id, 'Set up my notes: write the file, then check it says hello.');
  const stop = approveAsked(sent.turnId);
  const outcome = await sent.run.done;
  stop();
  assert.equal(outcome.state, 'completed', outcome.error?.message);
  assert.equal(outcome.text, 'Your notes now say hello.');

  const { goals } = await autonomy.plane.listGoals('ada');
  assert.equal(goals.length, 1);
  const goal = goals[0];
  assert.equal(goal.status, 'completed');
  assert.equal(goal.thread_id, thread.id, 'the goal remembers the conversation that asked');
  assert.equal(goal.replans, 1);

  const plans = await autonomy.plane.listPlans('ada', goal.id);
  assert.deepEqual(
    plans.map((p) => [p.version, p.status]),
    [
      [1, 'superseded'],
      [2, 'succeeded'],
    ],
  );
  const first = await autonomy.plane.getPlan('ada', plans[0].id);
  assert.deepEqual(
    first.steps.map((s) => [s.title, s.status]),
    [
      ['say what we do', 'succeeded'],
      ['write the draft', 'succeeded'],
      ['summarise', 'succeeded'],
    ],
  );
  assert.equal(first.steps[2].output, 'They hold the greeting.', 'the turn step answered in its own thread');
  const firstRuns = await autonomy.plane.executions('ada', plans[0].id);
  assert.deepEqual(
    firstRuns.map((e) => [e.kind, e.target, e.status]),
    [
      ['tool', 'echo', 'succeeded'],
      ['tool', 'write-file', 'succeeded'],
      ['turn', 'model', 'succeeded'],
      ['tool', 'read-file', 'succeeded'],
    ],
  );
  const policy = await autonomy.plane.policyDecisions('ada', plans[0].id);
  assert.deepEqual(
    policy.map((d) => [d.action, d.decision, d.decided_by]),
    [
      ['echo', 'allowed', 'policy'],
      ['write-file', 'asked', 'policy'],
      ['write-file', 'granted', 'ada'],
      ['read-file', 'allowed', 'policy'],
    ],
  );
  const [failedCheck] = await autonomy.plane.verifications('ada', plans[0].id);
  assert.equal(failedCheck.passed, 0);
  assert.match(failedCheck.evidence, /draft/, "the file's text is the evidence");

  const [passedCheck] = await autonomy.plane.verifications('ada', plans[1].id);
  assert.equal(passedCheck.passed, 1);
  assert.equal(passedCheck.method, 'tool:read-file');
  assert.match(passedCheck.evidence, /hello there/);
  assert.equal(await readFile(path.join(kernel.workspace, 'notes.txt'), 'utf8'), 'hello there');
  const incidents = await autonomy.plane.incidents('ada', goal.id);
  assert.deepEqual(
    incidents.map((i) => i.kind),
    ['verification.failed'],
  );

  // The chat showed the goal's progress and its approvals; the bus told every change.
  const mine = turnEvents.filter((e) => e.turnId === sent.turnId);
  assert.ok(mine.some((e) => e.type === 'status' && e.message.includes('write the draft')));
  assert.equal(mine.filter((e) => e.type === 'approval.decided').length, 2);
  const types = new Set(goalEvents.filter((e) => e.goalId === goal.id).map((e) => e.type));
  for (const type of ['goal.created', 'plan.created', 'step.updated', 'execution', 'policy', 'verification', 'incident', 'goal.updated'] as const) {
    assert.ok(types.has(type), `a ${type} event`);
  }
});

test('refused approvals fail the step; once the replan budget is spent the goal fails and the model is told so', { timeout: 60_000 }, async () => {
  server.load({
    name: 'refused',
    turns: [
      {
        match: { lastUserContains: 'Clean up' },
        content: [
          {
            type: 'tool_call',
            name: 'autonomy__pursue',
            arguments: { title: 'clean up', steps: [{ title: 'remove', kind: 'tool', tool: 'shell', arguments: { command: 'echo rm' } }] },
          },
        ],
      },
      // No steps given: the replan copies the step that did not succeed.
      {
        match: { lastMessageContains: 'Call autonomy__replan' },
        content: [{ type: 'tool_call', name: 'autonomy__replan', arguments: { reason: 'ask again' } }],
      },
      { match: { lastMessageContains: 'replan budget is spent' }, content: [{ type: 'text', text: 'I could not clean up: the removal was refused.' }] },
    ],
  });
  const thread = await agent.createThread('ada');
  const sent = await agent.send('ada', thread.id, 'Clean up the old files.');
  const seen = new Set<string>();
  const refuse = setInterval(() => {
    for (const e of turnEvents) {
      if (e.turnId !== sent.turnId || e.type !== 'approval.needed' || seen.has(e.approvalId)) continue;
      seen.add(e.approvalId);
      void agent.decide(e.approvalId, 'rejected', 'ada', 'not now');
    }
  }, 5);
  const outcome = await sent.run.done;
  clearInterval(refuse);
  assert.equal(outcome.state, 'completed');
  assert.equal(outcome.text, 'I could not clean up: the removal was refused.');
  const goal = (await autonomy.plane.listGoals('ada', { status: ['failed'] })).goals.find((g) => g.title === 'clean up');
  assert.ok(goal, 'the goal failed');
  const plans = await autonomy.plane.listPlans('ada', goal.id);
  assert.deepEqual(
    plans.map((p) => p.status),
    ['superseded', 'failed'],
    'a failed plan is superseded by its replan',
  );
  for (const plan of plans) {
    const policy = await autonomy.plane.policyDecisions('ada', plan.id);
    assert.deepEqual(
      policy.map((d) => [d.action, d.decision, d.decided_by, d.reason]),
      [
        ['shell', 'asked', 'policy', null],
        ['shell', 'refused', 'ada', 'not now'],
      ],
    );
    const [step] = (await autonomy.plane.getPlan('ada', plan.id)).steps;
    assert.equal(step.title, 'remove');
    assert.match(step.error ?? '', /TITAN_E_APPROVAL_REJECTED/);
  }
  assert.deepEqual(
    (await autonomy.plane.incidents('ada', goal.id)).map((i) => i.kind),
    ['step.failed', 'step.failed', 'budget.spent'],
  );
});
