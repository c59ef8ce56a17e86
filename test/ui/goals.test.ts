// The web UI's Goals page in real headless Chromium: a multi-step request in the chat becomes a goal
// (its write approved with the chat's Approve button), and the Goals page shows it as a board - the
// plan's steps with their results - with the executions, the policy decisions and the passed check
// with its evidence; a goal run from the page updates live from the goal events stream, a swarm
// step's sub-agents drawn one cell each, running then done.
import { describe, test } from 'node:test';
import { startAutonomy } from '../../agent/services.ts';
import { toolCall } from '../support/model-double.ts';
import { browserSkipReason, sendMessage, uiSuite } from './support.ts';

describe('web UI: goals', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('a multi-step request from the chat is shown on the Goals page with its steps, policy and evidence', async () => {
    const pursue = {
      title: 'greeting file',
      steps: [
        { title: 'announce', kind: 'tool', tool: 'echo', arguments: { text: 'writing the greeting' } },
        { title: 'write it', kind: 'tool', tool: 'write-file', arguments: { path: 'greeting.txt', content: 'hello from the plan' } },
      ],
      verify: { tool: 'read-file', arguments: { path: 'greeting.txt' }, expect: 'hello from the plan' },
    };
    const session = await suite.open({
      steps: [
        [...toolCall(0, 'call-goal', 'autonomy__pursue', pursue), { type: 'stop', reason: 'tool_use' }],
        [
          { type: 'text', text: 'The greeting is written and checked.' },
          { type: 'stop', reason: 'end_turn' },
        ],
      ],
    });
    startAutonomy(suite.ui.kernel, session.agent);
    const { page } = session;
    await sendMessage(page, 'Write a greeting file and check it.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('The greeting is written and checked.').waitFor();

    await page.getByRole('link', { name: 'Goals' }).click();
    await page.getByRole('heading', { name: 'Goals' }).waitFor();
    await page.locator('#goal-rows').getByRole('button', { name: 'greeting file' }).click();
    await page.locator('#goal-status', { hasText: 'completed' }).waitFor();
    const board = page.getByRole('list', { name: 'Plans' });
    await board.getByRole('listitem', { name: 'Plan 1' }).getByText('succeeded').first().waitFor();
    await board.getByText('2. write it').waitFor();
    await page.locator('#goal-detail').getByRole('cell', { name: 'granted' }).waitFor();
    await page.locator('#goal-checks').getByText('passed').waitFor();
    await page.locator('#goal-checks .evidence', { hasText: 'hello from the plan' }).waitFor();
  });

  test('a goal run from the page updates live', async () => {
    const session = await suite.open();
    const { page, gateway, token } = session;
    const response = await fetch(`${gateway.url}/api/goals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'count to two',
        steps: [1, 2].map((n) => ({ title: `say ${n}`, kind: 'tool', tool: 'echo', arguments: { text: String(n) } })),
      }),
    });
    const { goal } = (await response.json()) as { goal: { id: string } };
    await page.goto(`${gateway.url}/#/goals/${goal.id}`);
    await page.locator('#goal-status', { hasText: 'active' }).waitFor();
    await page.getByRole('button', { name: 'Run plan' }).click();
    await page.locator('#goal-status', { hasText: 'completed' }).waitFor();
    await page.locator('#goal-checks').getByText('all 2 steps succeeded').waitFor();
    await page.getByRole('list', { name: 'Plans' }).getByText('2. say 2').waitFor();
  });

  test("a swarm step's sub-agents are drawn live: running, then each one's state and the counts", async () => {
    const answer = (wait: number) => [{ wait }, { type: 'text' as const, text: 'looked' }, { type: 'stop' as const, reason: 'end_turn' }];
    const session = await suite.open({ steps: [answer(1500), answer(1500), answer(8000)] });
    const { page, gateway, api } = session;
    const { goal } = await api('POST', '/goals', {
      title: 'look three ways',
      steps: [{ title: 'fan out', kind: 'swarm', timeoutMs: 3000, agents: ['north', 'south', 'west'].map((w) => ({ title: w, prompt: `look ${w}` })) }],
    });
    await page.goto(`${gateway.url}/#/goals/${goal.id}`);
    await page.getByRole('button', { name: 'Run plan' }).click();
    const grid = page.getByRole('list', { name: 'Sub-agents of fan out' });
    await grid.locator('[data-state="running"]').nth(2).waitFor();
    await page.locator('#goal-status', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await page.locator('.swarm-counts', { hasText: '3 sub-agents: 2 succeeded, 1 timed out' }).waitFor();
    await grid.locator('[data-state="succeeded"]').nth(1).waitFor();
    await grid.locator('[data-state="timed_out"]').waitFor();
    const tip = await grid.locator('[data-state="timed_out"]').getAttribute('title');
    if (!/timed out: TITAN_E_SUBAGENT_TIMEOUT/.test(tip ?? '')) throw new Error(`the timed-out cell says: ${tip}`);
  });
});
