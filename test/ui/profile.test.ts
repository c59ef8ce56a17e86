// The web UI's Profile page in real headless Chromium: what the owner says in the chat becomes a
// fact in USER.md's managed section (synthesised in the background from their messages), the page
// lists it with the change that wrote it, and Revert takes it back, leaving their own text as it was.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startProfile } from '../../agent/api.ts';
import type { ChatRequest, LlmEvent } from '../../agent/loop/llm-types.ts';
import { browserSkipReason, closeSession, launchBrowser, openSession, openUiKernel, sendMessage, type Session, type UiKernel } from './support.ts';

describe('web UI: profile', { skip: browserSkipReason() }, () => {
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

  test('a fact from the chat appears on the Profile page and Revert takes it back', async () => {
    const userFile = path.join(ui.kernel.workspace, 'USER.md');
    await mkdir(ui.kernel.workspace, { recursive: true });
    await writeFile(userFile, '# About me\n\nWritten by me.\n');
    session = await openSession(browser, ui, {
      steps: [
        [
          { type: 'text', text: 'Noted, Ada.' },
          { type: 'stop', reason: 'end_turn' },
        ],
      ],
    });
    const { page } = session;
    const seen: string[] = [];
    const model = async function* (request: ChatRequest): AsyncIterable<LlmEvent> {
      seen.push(String(request.messages[1].content));
      yield { type: 'text', text: '{"USER.md": ["Is called Ada", "Drinks green tea"]}' };
      yield { type: 'stop', reason: 'end_turn' };
    };
    // The owner's id, as the gateway knows them: the owner of a thread their token creates.
    const { user_id: ownerId } = (await session.api('POST', '/threads', {})) as { user_id: string };
    const profile = startProfile(ui.kernel, session.agent, model, { ownerId, debounceMs: 10 });
    await sendMessage(page, 'Hi, I am Ada and I drink green tea.');
    await page.getByText('Noted, Ada.').waitFor();
    await profile.synthesis?.run(); // after the debounced run: nothing is left to read
    assert.ok(
      seen.some((text) => text.includes('I drink green tea')),
      'the model read what the owner said',
    );

    await page.getByRole('link', { name: 'Profile' }).click();
    const user = page.locator('[data-file="USER.md"]');
    await user.getByText('Drinks green tea').waitFor();
    await page.locator('#profile-changes').getByText('synthesis').waitFor();
    await page.locator('#profile-changes').getByRole('button', { name: 'Revert' }).first().click();
    await user.getByText('Nothing yet.').waitFor();
    assert.equal(await readFile(userFile, 'utf8'), '# About me\n\nWritten by me.\n');
    profile.close();
  });
});
