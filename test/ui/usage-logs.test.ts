// The Usage and Logs pages in real headless Chromium: after two turns (one with a tool, so two
// model requests), the usage totals, the day's row and both charts show them; the log shows its
// recent lines, a new line appears live when it passes the level and words filters and not
// otherwise, and a paused view takes no new lines until it resumes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSkipReason, sendMessage, uiSuite } from './support.ts';

describe('web UI: usage and logs', { skip: browserSkipReason() }, () => {
  // A kernel that logs, as `titan start` does (test kernels are silent by default).
  const suite = uiSuite({ kernel: { logToFile: true } });

  test('the turns of today are counted with their model requests and tokens, in totals, charts and the table', async () => {
    const session = await suite.open({
      steps: [
        [
          { type: 'tool_call', index: 0, id: 'call-1', name: 'clock', arguments_delta: '{}' },
          { type: 'usage', input_tokens: 100, output_tokens: 10 },
          { type: 'stop', reason: 'tool_calls' },
        ],
        [
          { type: 'text', text: 'It is late.' },
          { type: 'usage', input_tokens: 150, output_tokens: 20 },
          { type: 'stop', reason: 'stop' },
        ],
        [
          { type: 'text', text: 'Hello there.' },
          { type: 'usage', input_tokens: 40, output_tokens: 4 },
          { type: 'stop', reason: 'stop' },
        ],
      ],
    });
    const { page } = session;
    await sendMessage(page, 'what time is it?');
    await page.getByText('It is late.').waitFor();
    await sendMessage(page, 'hello');
    await page.getByText('Hello there.').waitFor();

    await page.getByRole('link', { name: 'Usage' }).click();
    await page.locator('dd[data-total="Model requests"]').filter({ hasText: /^3$/ }).waitFor();
    assert.equal(await page.locator('dd[data-total="Turns"]').textContent(), '2');
    assert.equal(await page.locator('dd[data-total="Input tokens"]').textContent(), '290');
    assert.match((await page.locator('dd[data-total="Answered without the model"]').textContent()) ?? '', /^0 \(0%\)$/);
    for (const chart of ['Model requests and answers without the model, by day', 'Tokens by day'])
      assert.equal(await page.getByRole('img', { name: chart }).locator('canvas').count(), 1, chart);
    const rows = page.getByRole('table', { name: 'Usage by day' }).locator('tbody tr');
    assert.equal(await rows.count(), 30);
    assert.deepEqual(await rows.first().locator('td').allTextContents(), [await rows.first().getAttribute('data-day'), '2', '3', '0', '290', '34']);

    await page.getByLabel('Range').selectOption('7');
    await page.waitForFunction(() => document.querySelectorAll('#usage-rows tr').length === 7);
  });

  test('the log shows recent lines, then new ones live through its filters; pause holds the view', async () => {
    const session = await suite.open();
    const { page } = session;
    await page.getByRole('link', { name: 'Logs' }).click();
    const lines = page.getByRole('table', { name: 'Log lines' }).locator('tbody tr');
    await lines.first().waitFor();

    await page.getByLabel('Level and above').selectOption('warn');
    await page.getByLabel('Words').fill('marker-51c');
    await page.getByRole('status').filter({ hasText: 'Following the log live: warn and above, with “marker-51c”.' }).waitFor();
    suite.ui.kernel.logger.info('marker-51c below the level');
    suite.ui.kernel.logger.warn({ channel: 'telegram' }, 'marker-51c polling failed');
    await lines.filter({ hasText: 'marker-51c polling failed' }).waitFor();
    assert.deepEqual(
      await lines
        .first()
        .locator('td')
        .allTextContents()
        .then((cells) => cells.slice(1)),
      ['warn', 'telegram', 'marker-51c polling failed'],
    );
    assert.equal(await lines.count(), 1, 'the info line did not pass');

    await page.getByRole('button', { name: 'Pause' }).click();
    suite.ui.kernel.logger.error('marker-51c while paused');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await lines.filter({ hasText: 'while paused' }).count(), 0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await lines.filter({ hasText: 'marker-51c while paused' }).waitFor();
  });
});
