// Issue 17's "done means", end to end with the sandbox: the owner asks in conversation "every
// morning at 7 check the repo's tests and tell me on Telegram"; at 07:00 in their time zone the
// routine's turn runs the repository's tests with the shell tool, which runs them in a Docker
// sandbox container (the workspace mounted, no network), and the answer built from their output
// reaches the owner's paired Telegram chat. No container is left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Agent, jobsSection, type RoutineService, type ScriptedLlm } from '../../agent/api.ts';
import { Engine, homeLabel } from '../../agent/jobs/engine.ts';
import { sandboxShell } from '../../agent/jobs/sandbox-shell.ts';
import type { FakeTelegram } from '../channels/fakes/telegram.ts';
import { openHarness, type Harness } from '../gateway/support.ts';
import { NO_DOCKER, SOCKET } from '../jobs/support.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { type OwnerStack, startOwnerStack } from './owner-stack.ts';

const at = (iso: string) => Date.parse(iso);
const ASK = "every morning at 7 check the repo's tests and tell me on Telegram";
const ROUTINE_PROMPT = "Run the repository's tests and tell me how many pass";
// The repository's tests as a script the sandbox image can run (it has a shell, not Node).
const TESTS = `#!/bin/sh
test -f /.dockerenv && echo "running in a container"
passed=0
for case in adds subtracts rounds; do passed=$((passed + 1)); echo "ok - $case"; done
echo "$passed passed, 0 failed"
`;

let harness: Harness;
let server: ScriptedLlm;
let telegram: FakeTelegram;
let stack: OwnerStack;
let agent: Agent;
let routines: RoutineService;
const clock = new ManualClock(at('2026-12-05T15:00:00Z'));

before(async () => {
  if (NO_DOCKER) return;
  harness = await openHarness();
  const engine = new Engine(SOCKET);
  await engine.ensureImage(jobsSection.defaults.image, true);
  // What `titan start` does when Docker answers: the shell runs in the sandbox, and there the
  // workspace-write policy needs no approval.
  harness.kernel.services.sandbox = sandboxShell(engine, jobsSection.defaults, harness.kernel.paths.home);
  stack = await startOwnerStack(harness, clock, async (agent, workspace) => {
    agent.tools.trust('shell');
    await writeFile(path.join(workspace, 'run-tests.sh'), TESTS);
  });
  ({ server, telegram, agent, routines } = stack);
});

after(async () => {
  await stack?.close();
  await harness?.close();
});

test('asked in conversation, at 07:00 the repository tests run in a sandbox and the result reaches Telegram', { skip: NO_DOCKER }, async () => {
  server.load({
    name: 'morning-tests-in-the-sandbox',
    turns: [
      {
        route: 'openai',
        match: { lastUserContains: 'every morning at 7' },
        content: [
          {
            type: 'tool_call',
            name: 'routine',
            arguments: { op: 'create', name: 'morning-tests', cron: '0 7 * * *', timezone: 'Europe/Berlin', prompt: ROUTINE_PROMPT, deliverTo: 'telegram' },
          },
        ],
      },
      { route: 'openai', match: { lastMessageContains: 'morning-tests' }, content: [{ type: 'text', text: 'Done: every day at 07:00.' }] },
      {
        route: 'openai',
        match: { lastUserContains: ROUTINE_PROMPT },
        content: [{ type: 'tool_call', name: 'shell', arguments: { command: 'sh run-tests.sh' } }],
      },
      {
        route: 'openai',
        match: { lastMessageContains: 'passed, 0 failed' },
        content: [{ type: 'text', text: 'The tests ran in the sandbox: 3 passed, 0 failed.' }],
      },
    ],
  });
  const thread = await agent.createThread('ada');
  const { run, turnId } = await agent.send('ada', thread.id, ASK);
  const needed = await harness.kernel.bus.once('turn.event', (e) => e.turnId === turnId && e.type === 'approval.needed');
  await agent.decide((needed as { approvalId: string }).approvalId, 'approved', 'ada');
  assert.equal((await run.done).state, 'completed');

  await clock.advance(at('2026-12-06T06:00:00Z'));
  await routines.idle();
  const [first] = await routines.runs('morning-tests');
  assert.equal(first.outcome, 'succeeded', first.error ?? '');
  assert.equal(first.output, 'The tests ran in the sandbox: 3 passed, 0 failed.');
  assert.deepEqual(
    telegram.sent.map((m) => [String(m.chat_id), m.text]),
    [['777', 'The tests ran in the sandbox: 3 passed, 0 failed.']],
  );
  // What the shell answered the model: the script ran inside a container, on the workspace.
  const toolResult = JSON.stringify(server.timeline().at(-1));
  assert.match(toolResult, /running in a container/);
  assert.match(toolResult, /3 passed, 0 failed/);
  const left = execFileSync('docker', ['-H', `unix://${SOCKET}`, 'ps', '-aq', '--filter', `label=titan.home=${homeLabel(harness.kernel.paths.home)}`], {
    encoding: 'utf8',
  }).trim();
  assert.equal(left, '', 'no container left');
});
