// The settings page in real headless Chromium: the owner stores a secret from a password field,
// the page lists its name (never its value), the kernel's encrypted store holds it, and Remove
// takes it out again.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, closeSession, launchBrowser, openSession, openUiKernel, type Session, type UiKernel } from './support.ts';

describe('web UI: settings', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let ui: UiKernel;
  let session: Session | undefined;

  before(async () => {
    [browser, ui] = await Promise.all([launchBrowser(), openUiKernel()]);
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });
  afterEach(async () => {
    const ending = session;
    session = undefined;
    await closeSession(ending);
  });

  test('a secret is stored from the Settings page, listed by name only, and removed', async () => {
    session = await openSession(browser, ui);
    const { page } = session;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.locator('#no-secrets').waitFor();
    const form = page.getByRole('form', { name: 'Store a secret' });
    await form.getByLabel('Name').fill('BRAVE_API_KEY');
    await form.getByLabel('Value').fill('BSA-typed-in-the-browser');
    assert.equal(await form.getByLabel('Value').getAttribute('type'), 'password');
    await form.getByRole('button', { name: 'Store' }).click();

    const table = page.getByRole('table', { name: 'Secrets' });
    await table.getByRole('row', { name: /BRAVE_API_KEY/ }).waitFor();
    assert.equal(await ui.kernel.secrets.value('BRAVE_API_KEY'), 'BSA-typed-in-the-browser');
    assert.ok(!(await page.content()).includes('BSA-typed-in-the-browser'), 'the value is not on the page');
    assert.ok(!JSON.stringify(await session.api('GET', '/secrets')).includes('BSA-typed'), 'no route answers a value');

    await table
      .getByRole('row', { name: /BRAVE_API_KEY/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.locator('#no-secrets').waitFor();
    assert.equal(await ui.kernel.secrets.value('BRAVE_API_KEY'), undefined);
  });
});
