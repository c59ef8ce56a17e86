// The web UI's Profile page in real headless Chromium: what the owner says in the chat becomes a
// fact in USER.md's managed section (synthesised in the background from their messages), the page
// lists it with the change that wrote it, and Revert takes it back, leaving their own text as it was.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startProfile } from '../../agent/services.ts';
import type { ChatRequest, LlmEvent } from '../../agent/loop/llm-types.ts';
import { browserSkipReason, sendMessage, uiSuite } from './support.ts';

describe('web UI: profile', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('a fact from the chat appears on the Profile page and Revert takes it back', async () => {
    const userFile = path.join(suite.ui.kernel.workspace, 'USER.md');
    await mkdir(suite.ui.kernel.workspace, { recursive: true });
    await writeFile(userFile, '# About me\n\nWritten by me.\n');
    const session = await suite.open({
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
    const profile = startProfile(suite.ui.kernel, session.agent, model, { ownerId, debounceMs: 10 });
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
