// The settings page in real headless Chromium: the owner stores a secret from a password field,
// the page lists its name (never its value), the kernel's encrypted store holds it, and Remove
// takes it out again; the model providers show where their keys come from and take a key; pairing
// requests are approved and denied; the configuration file is edited, and an edit that would not
// load is refused with its problems while the file stays as it was.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createLlm, listPairings, openPairing } from '../../agent/api.ts';
import { titanConfigFile } from '../../bin/config-file.ts';
import { browserSkipReason, uiSuite } from './support.ts';

describe('web UI: settings', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('a secret is stored from the Settings page, listed by name only, and removed', async () => {
    const session = await suite.open();
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
    assert.equal(await suite.ui.kernel.secrets.value('BRAVE_API_KEY'), 'BSA-typed-in-the-browser');
    assert.ok(!(await page.content()).includes('BSA-typed-in-the-browser'), 'the value is not on the page');
    assert.ok(!JSON.stringify(await session.api('GET', '/secrets')).includes('BSA-typed'), 'no route answers a value');

    await table
      .getByRole('row', { name: /BRAVE_API_KEY/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.locator('#no-secrets').waitFor();
    assert.equal(await suite.ui.kernel.secrets.value('BRAVE_API_KEY'), undefined);
  });

  test('the model providers show where their keys come from; a provider key is stored from its own field', async () => {
    const llm = createLlm(suite.ui.kernel, {
      providers: [{ name: 'openai', component: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4.1-mini', apiKeyEnv: 'OPENAI_API_KEY' }],
    });
    const session = await suite.open({ llm });
    const { page } = session;
    await page.getByRole('link', { name: 'Settings' }).click();
    const providers = page.getByRole('table', { name: 'Model providers' });
    const row = providers.getByRole('row', { name: /openai/ });
    await row.getByText('OPENAI_API_KEY: missing').waitFor();
    await row.getByText('gpt-4.1-mini').waitFor();

    const form = page.getByRole('form', { name: 'Provider key OPENAI_API_KEY' });
    await form.getByLabel('OPENAI_API_KEY').fill('sk-typed-into-settings');
    await form.getByRole('button', { name: 'Store key' }).click();
    await row.getByText('OPENAI_API_KEY: in the secret store').waitFor();
    assert.equal(await suite.ui.kernel.secrets.value('OPENAI_API_KEY'), 'sk-typed-into-settings');
    assert.ok(!(await page.content()).includes('sk-typed-into-settings'));
    await suite.ui.kernel.secrets.remove('OPENAI_API_KEY');
  });

  test('pairing requests from the channels are approved and denied from the page', async () => {
    const mia = await openPairing(suite.ui.kernel.store, { channel: 'telegram', senderId: '4201', chatId: '4201', senderName: 'Mia' });
    const spam = await openPairing(suite.ui.kernel.store, { channel: 'slack', senderId: 'U999', chatId: 'D999', senderName: 'Unknown sender' });
    const session = await suite.open();
    const { page } = session;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.locator('#no-channels').waitFor();
    const requests = page.getByRole('table', { name: 'Pairing requests' });
    await requests.getByRole('row', { name: /Mia/ }).getByRole('button', { name: 'Approve' }).click();
    await requests.getByRole('row', { name: /Mia/ }).waitFor({ state: 'detached' });
    await requests
      .getByRole('row', { name: /Unknown sender/ })
      .getByRole('button', { name: 'Deny' })
      .click();
    await page.locator('#no-pairings').waitFor();
    assert.deepEqual(
      (await listPairings(suite.ui.kernel.store, 'approved')).map((p) => p.code),
      [mia.code],
    );
    assert.deepEqual(
      (await listPairings(suite.ui.kernel.store, 'denied')).map((p) => p.code),
      [spam.code],
    );
  });

  test('the configuration is edited as JSON; an edit that would not load is refused with its problems and the file kept', async () => {
    const file = path.join(suite.ui.home, 'config.json');
    const written = `${JSON.stringify({ gateway: { rateLimitPerMinute: 300 } }, null, 2)}\n`;
    await writeFile(file, written);
    const session = await suite.open({ configFile: titanConfigFile({ TITAN_HOME: suite.ui.home }) });
    const { page } = session;
    await page.getByRole('link', { name: 'Settings' }).click();
    const editor = page.getByRole('textbox', { name: 'config.json' });
    await page.waitForFunction(() => (document.querySelector('#config-text') as HTMLTextAreaElement | null)?.value.includes('rateLimitPerMinute'));

    await editor.fill('{ "gateway": { "rateLimitPerMinute": 300 ');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid JSON' }).waitFor();

    await editor.fill(JSON.stringify({ gateway: { rateLimitPerMinut: 10 }, mesh: { enabled: 'sometimes' } }));
    await page.getByRole('button', { name: 'Save' }).click();
    const problems = page.locator('#config-problems');
    await problems.getByText(/unknown key "rateLimitPerMinut"/).waitFor();
    await problems.getByText(/mesh.enabled must be boolean/).waitFor();
    assert.equal(await readFile(file, 'utf8'), written, 'the refused edit wrote nothing');
    // The refusal was the answer this test asked for, not a fault of the page.
    const expected = ['HTTP 400 for PUT /api/config', 'console: Failed to load resource: the server responded with a status of 400 (Bad Request)'];
    session.problems.splice(0, session.problems.length, ...session.problems.filter((p) => !expected.includes(p)));

    await editor.fill(JSON.stringify({ gateway: { rateLimitPerMinute: 120 } }));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved. Takes effect at the next start.' }).waitFor();
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { gateway: { rateLimitPerMinute: 120 } });
    assert.equal(await problems.isHidden(), true);
  });
});
