// A new person in the web UI (real headless Chromium): their first message is met by Titan's
// onboarding questions, answered one by one in the chat (the model is not asked), reviewed and saved
// with "yes"; then a multi-step request becomes a goal the Goals page shows with its plan.
import { describe, test } from 'node:test';
import { startAutonomy, startOnboarding } from '../../agent/services.ts';
import { toolCall } from '../support/model-double.ts';
import { browserSkipReason, sendMessage, uiSuite } from './support.ts';

describe('web UI: onboarding', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('a new user is onboarded in the chat, then a multi-step request shows on the Goals page', async () => {
    const pursue = {
      title: 'count to two',
      steps: [1, 2].map((n) => ({ title: `say ${n}`, kind: 'tool', tool: 'echo', arguments: { text: `step ${n}` } })),
    };
    const session = await suite.open({
      steps: [
        [...toolCall(0, 'call-goal', 'autonomy__pursue', pursue), { type: 'stop', reason: 'tool_use' }],
        [
          { type: 'text', text: 'Counted to two: the goal is done.' },
          { type: 'stop', reason: 'end_turn' },
        ],
      ],
    });
    startAutonomy(suite.ui.kernel, session.agent);
    startOnboarding(suite.ui.kernel, session.agent);
    const { page } = session;
    const log = page.locator('#messages');

    await sendMessage(page, 'hello');
    await log.getByText('(1/5) Who are you?').waitFor();
    const answers = ['Ada, a mathematician', 'finish the engine notes', 'short and direct', 'ask before anything that changes things'];
    for (const [i, answer] of answers.entries()) {
      await sendMessage(page, answer);
      await log.getByText(`(${i + 2}/5)`).waitFor();
    }
    await sendMessage(page, 'never email anyone for me');
    await log.getByText('Reply "yes" to save it').first().waitFor();
    await log.getByText('Who they are: Ada, a mathematician').first().waitFor();
    await sendMessage(page, 'yes');
    await log.getByText('Saved. What can I do for you?').waitFor();

    await sendMessage(page, 'Count to two for me, step by step.');
    await log.getByText('Counted to two: the goal is done.').waitFor();
    await page.getByRole('link', { name: 'Goals' }).click();
    await page.getByRole('heading', { name: 'Goals' }).waitFor();
    await page.locator('#goal-rows').getByRole('button', { name: 'count to two' }).click();
    await page.locator('#goal-status', { hasText: 'completed' }).waitFor();
    await page.getByRole('list', { name: 'Plans' }).getByText('2. say 2').waitFor();
  });
});
