// The components and kernel patches pages in real headless Chromium: a patch proposed elsewhere is
// listed and the buttons move it (Reject); a registry version is proposed from the Components page,
// then approved, deployed (the kernel serves it) and rolled back, each step recorded with who did it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { publishFixture } from '../support/fixtures.ts';
import { browserSkipReason, uiSuite } from './support.ts';

const patchCard = (page: Page, title: string) => page.getByRole('article', { name: title });

async function stateBecomes(page: Page, title: string, state: string): Promise<void> {
  await patchCard(page, title)
    .getByLabel('State')
    .filter({ hasText: new RegExp(`^${state}$`) })
    .waitFor();
}

describe('web UI: components and kernel patches', { skip: browserSkipReason() }, () => {
  const suite = uiSuite({
    setUp: (ui) => publishFixture(ui.kernel, 'echo-v2').then(() => {}), // tool/echo 1.1.0 in the registry, 1.0.0 serving
  });

  test('a proposed patch is listed with its history, and Reject changes its state', async () => {
    const proposed = await suite.ui.kernel.proposePatch(
      { kind: 'tool', name: 'echo', range: '1.1.0' },
      { by: 'alice', why: 'answers should say their version' },
    );
    const session = await suite.open();
    const { page } = session;
    await page.getByRole('link', { name: 'Patches' }).click();
    const title = 'tool/echo 1.0.0 → 1.1.0';
    await stateBecomes(page, title, 'proposed');
    await patchCard(page, title).getByText('by alice — answers should say their version').waitFor();

    await patchCard(page, title).getByRole('button', { name: 'Reject' }).click();
    await stateBecomes(page, title, 'rejected');
    assert.equal(await patchCard(page, title).getByRole('button').count(), 0, 'a rejected patch has no further steps');
    assert.equal(suite.ui.kernel.patches.get(proposed.id).state, 'rejected');
    assert.match(suite.ui.kernel.patches.get(proposed.id).history.at(-1)!.by, /^ui-user-/);
  });

  test('a registry version is proposed from the Components page, then approved, deployed and rolled back', async () => {
    const session = await suite.open();
    const { page } = session;
    await page.getByRole('link', { name: 'Components' }).click();
    const serving = page.getByRole('table', { name: 'Serving' });
    await serving
      .getByRole('row', { name: /tool\/echo/ })
      .filter({ hasText: '1.0.0' })
      .waitFor();
    await page.getByRole('table', { name: 'Registry' }).getByRole('button', { name: 'Propose tool/echo@1.1.0' }).click();

    await page.waitForURL(/#\/patches$/);
    const { patches } = await session.api('GET', '/patches?state=proposed');
    assert.equal(patches.length, 1);
    // The first test left a rejected patch with the same title: this one is told apart by its id.
    const card = page.locator(`article[data-patch-id="${patches[0].id}"]`);
    assert.equal(await card.getByRole('heading', { level: 3 }).textContent(), 'tool/echo 1.0.0 → 1.1.0');
    await card
      .getByLabel('State')
      .filter({ hasText: /^proposed$/ })
      .waitFor();
    await card.getByRole('button', { name: 'Approve' }).click();
    await card
      .getByLabel('State')
      .filter({ hasText: /^approved$/ })
      .waitFor();
    assert.deepEqual(await suite.ui.kernel.invokeTool('echo', { text: 'hi' }), { text: 'hi' }, 'approving changes nothing that serves');

    await card.getByRole('button', { name: 'Deploy' }).click();
    await card
      .getByLabel('State')
      .filter({ hasText: /^deployed$/ })
      .waitFor();
    assert.deepEqual(await suite.ui.kernel.invokeTool('echo', { text: 'hi' }), { text: 'hi', version: '1.1.0' });

    await card.getByRole('button', { name: 'Roll back' }).click();
    await card
      .getByLabel('State')
      .filter({ hasText: /^rolled back$/ })
      .waitFor();
    assert.deepEqual(await suite.ui.kernel.invokeTool('echo', { text: 'hi' }), { text: 'hi' });
    const steps = await card.getByRole('list', { name: 'History' }).getByRole('listitem').allTextContents();
    assert.deepEqual(
      steps.map((s) => s.split(' by ')[0]),
      ['proposed', 'approved', 'deployed', 'rolled back'],
    );

    await page.getByRole('link', { name: 'Components' }).click();
    await serving
      .getByRole('row', { name: /tool\/echo/ })
      .filter({ hasText: '1.0.0' })
      .waitFor();
  });
});
