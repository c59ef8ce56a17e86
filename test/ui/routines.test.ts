// The web UI's Routines page in real headless Chromium, against a real kernel and gateway: the add
// form checks the cron expression as it is typed (why it is not one, or the next runs), a routine
// added there is listed with its next run, runs now, shows its history, pauses and is removed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserSkipReason, uiSuite } from './support.ts';

describe('web UI: routines', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('add with cron validation, run now, history, pause and remove', async () => {
    const session = await suite.open({ routines: true });
    const { page, gateway } = session;
    await page.goto(`${gateway.url}/#/routines`);
    await page.getByRole('heading', { name: 'Routines' }).waitFor();
    await page.locator('#no-routines').waitFor();

    const form = page.getByRole('form', { name: 'Add a routine' });
    await form.getByLabel('Name', { exact: true }).fill('ui-clock');
    await form.getByLabel('Cron', { exact: true }).fill('61 * * * *');
    await page.locator('#routine-cron-check', { hasText: 'TITAN_E_ROUTINE_CRON' }).waitFor();
    await form.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await form.getByLabel('Cron', { exact: true }).fill('0 7 * * *');
    await page.locator('#routine-cron-check', { hasText: 'Next runs:' }).waitFor();
    await form.getByLabel('Does', { exact: true }).selectOption('tool');
    await form.getByLabel('Tool', { exact: true }).fill('clock');
    await form.getByRole('button', { name: 'Add', exact: true }).click();

    const card = page.locator('article[data-routine="ui-clock"]');
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /cron "0 7 \* \* \*" \(Europe\/Berlin\)/);
    assert.doesNotMatch((await card.locator('.routine-times').textContent()) ?? '', /Next run: -/);
    const [stored] = session.routines!.list();
    assert.equal(new Date(stored.nextRunAt!).getUTCHours(), 6, '07:00 in Berlin');

    await card.getByRole('button', { name: 'Run now' }).click();
    await session.routines!.idle();
    await page.locator('article[data-routine="ui-clock"]').getByRole('button', { name: 'History' }).click();
    await page.locator('article[data-routine="ui-clock"] tr[data-outcome="succeeded"]').waitFor();

    await page.locator('article[data-routine="ui-clock"]').getByRole('button', { name: 'Pause' }).click();
    await page.locator('article[data-routine="ui-clock"]').getByLabel('State').filter({ hasText: 'paused' }).waitFor();
    assert.equal(session.routines!.find('ui-clock').enabled, false);

    await page.locator('article[data-routine="ui-clock"]').getByRole('button', { name: 'Remove' }).click();
    await page.locator('#confirm-ok').click();
    await page.locator('#no-routines').waitFor();
    assert.deepEqual(session.routines!.list(), []);
  });
});
