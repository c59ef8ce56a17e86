// The web UI's chat in real headless Chromium, against a real kernel and gateway with a scripted
// model: the answer streams in, a guarded tool call waits for the Approve button (and survives a
// reload), tool output shows as it arrives, a turn can be interrupted, chats can be deleted one by
// one or all at once, and the model's markdown renders while HTML in it never becomes an element.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toolCall } from '../support/model-double.ts';
import { browserSkipReason, sendMessage, uiSuite } from './support.ts';

const stop = (reason = 'end_turn') => ({ type: 'stop' as const, reason });
const text = (value: string) => ({ type: 'text' as const, text: value });

describe('web UI: chat', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('a turn cut by a crash shows what it said, marked cut off; the chat is not stuck answering and takes a new message', async () => {
    const session = await suite.open({ steps: [[text('Back again.'), stop()]] });
    const { page, gateway, api, agent } = session;
    const thread = (await api('POST', '/threads', { title: 'cut' })) as { id: string; user_id: string };
    // What a process killed mid-answer leaves behind: the turn streaming, its words only in the event log.
    const store = suite.ui.kernel.store;
    await store.op('turns.begin', {
      userId: thread.user_id,
      threadId: thread.id,
      turnId: 'ui-cut-turn',
      message: { id: 'ui-cut-q', role: 'user', content: 'tell me a story' },
    });
    await store.op('events.append', { turnId: 'ui-cut-turn', events: [{ seq: 1, type: 'text', data: { type: 'text', text: 'Once upon a time there was' } }] });
    assert.equal((await agent.start()).interrupted, 1, 'the restart recovers it');

    await page.goto(`${gateway.url}/#/chat/${encodeURIComponent(thread.id)}`);
    await page.getByText('Once upon a time there was').waitFor();
    await page.getByText('The answer was cut off here.').waitFor();
    assert.equal(await page.getByText('[cut off]').count(), 0, 'the mark is shown as a note, not as text');
    assert.equal(await page.getByRole('button', { name: 'Interrupt' }).isEnabled(), false, 'nothing is answering');
    await sendMessage(page, 'are you back?');
    await page.getByText('Back again.').waitFor();
  });

  test('without a token, or with a wrong one, the page asks for the link printed by npm start; the token leaves the address bar', async () => {
    const session = await suite.open({ signedIn: false });
    const { page, gateway } = session;
    const needed = page.getByRole('heading', { name: 'A token is needed' });
    await page.goto(`${gateway.url}/ui/`);
    await needed.waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Message' }).isVisible(), false);

    await page.goto(`${gateway.url}/ui/#token=not-the-token`);
    await needed.waitFor();
    assert.ok(
      session.problems.every((p) => p.includes('401')),
      'the only failures are the refused token',
    );
    session.problems.length = 0;

    await page.goto(`${gateway.url}/#token=${encodeURIComponent(session.token)}`);
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/chat', 'the token is not left in the address bar or the history');
    assert.equal(await needed.isVisible(), false);
  });

  test('a message is sent and the answer streams in, piece by piece, then the turn ends', async () => {
    const session = await suite.open({
      steps: [[text('Hello'), { wait: 1000 }, text(', this is **streaming**'), { wait: 1000 }, text(' and done.'), stop()]],
    });
    const { page } = session;
    await sendMessage(page, 'hi there');

    await page.getByRole('article', { name: 'You' }).filter({ hasText: 'hi there' }).waitFor();
    const answer = page.getByRole('article', { name: 'Titan' });
    await answer.filter({ hasText: 'Hello' }).waitFor();
    assert.doesNotMatch((await answer.textContent()) ?? '', /and done/, 'the first words show before the rest of the answer exists');
    assert.equal(await page.getByRole('button', { name: 'Interrupt' }).isEnabled(), true, 'a running turn can be interrupted');

    await answer.filter({ hasText: 'and done.' }).waitFor();
    await answer.locator('strong', { hasText: 'streaming' }).waitFor();
    await page.waitForFunction(() => (document.getElementById('interrupt') as HTMLButtonElement).disabled);

    const threadId = decodeURIComponent(new URL(page.url()).hash.replace('#/chat/', ''));
    const link = page.getByRole('link', { name: 'hi there' });
    await link.waitFor();
    assert.equal(await link.getAttribute('aria-current'), 'page');
    const { messages } = await session.api('GET', `/threads/${threadId}/messages`);
    assert.deepEqual(
      messages.map((m: { role: string; content: string }) => [m.role, m.content]),
      [
        ['user', 'hi there'],
        ['assistant', 'Hello, this is **streaming** and done.'],
      ],
    );
  });

  test('a tool call that needs approval waits for the Approve button (also after a reload), then runs and shows its result', async () => {
    const session = await suite.open({
      guardedTools: ['echo'],
      steps: [
        [text('Let me echo that.'), ...toolCall(0, 'call-1', 'echo', { text: 'ping' }), stop('tool_use')],
        [text('It said **ping**.'), stop()],
      ],
    });
    const { page } = session;
    await sendMessage(page, 'echo ping');
    const card = page.getByRole('region', { name: 'Tool echo' });
    await card.getByRole('button', { name: 'Approve' }).waitFor();
    assert.match((await card.getByLabel('Arguments').textContent()) ?? '', /"text": "ping"/);

    // The prompt is not only a live event: a reloaded page asks the gateway what is pending.
    await page.reload();
    const approve = card.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    assert.equal((await session.api('GET', '/approvals')).approvals.length, 1);
    await approve.click();

    await card.getByText(/Approved by ui-user-/).waitFor();
    await card.getByLabel('Result').filter({ hasText: 'ping' }).waitFor();
    assert.equal(await card.getAttribute('data-state'), 'done');
    await page.getByRole('article', { name: 'Titan' }).locator('strong', { hasText: 'ping' }).waitFor();
    assert.deepEqual((await session.api('GET', '/approvals')).approvals, []);
  });

  test("a tool's output shows while it runs; Reject stops a call from running", async () => {
    const session = await suite.open({
      guardedTools: ['echo'],
      steps: [
        [...toolCall(0, 'sh-1', 'shell', { command: 'echo first-line; sleep 1.5; echo second-line' }), stop('tool_use')],
        [...toolCall(0, 'echo-1', 'echo', { text: 'never' }), stop('tool_use')],
        [text('Both done.'), stop()],
      ],
    });
    const { page } = session;
    await sendMessage(page, 'run the script');
    const shell = page.getByRole('region', { name: 'Tool shell' });
    const approveShell = shell.getByRole('button', { name: 'Approve' });
    // The shell tool asks first on its own (it declares itself guarded); echo is guarded by the test.
    await approveShell.click();
    const output = shell.getByLabel('Output');
    await output.filter({ hasText: 'first-line' }).waitFor();
    assert.doesNotMatch((await output.textContent()) ?? '', /second-line/, 'output arrives while the command still runs');
    await output.filter({ hasText: 'second-line' }).waitFor();
    await shell.getByLabel('Result').waitFor();

    const echo = page.getByRole('region', { name: 'Tool echo' });
    await echo.getByRole('button', { name: 'Reject' }).click();
    await echo.getByText(/Rejected by ui-user-/).waitFor();
    await page.locator('section[aria-label="Tool echo"][data-state="failed"]').waitFor(); // the model reads the refusal as the call's result
    await page.getByRole('article', { name: 'Titan' }).filter({ hasText: 'Both done.' }).waitFor();
  });

  test('Interrupt stops a running answer and the composer is ready again', async () => {
    const session = await suite.open({ steps: [[text('Thinking about it'), { wait: 10_000 }, text(' - never shown'), stop()]] });
    const { page } = session;
    await sendMessage(page, 'take your time');
    const answer = page.getByRole('article', { name: 'Titan' });
    await answer.filter({ hasText: 'Thinking about it' }).waitFor();
    await page.getByRole('button', { name: 'Interrupt' }).click();
    await answer.getByText(/Interrupted by ui-user-/).waitFor();
    await page.waitForFunction(() => (document.getElementById('interrupt') as HTMLButtonElement).disabled);
    assert.doesNotMatch((await answer.textContent()) ?? '', /never shown/);
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);
  });

  test('deleting a chat removes it from the list and from the gateway; Cancel keeps it', async () => {
    const session = await suite.open({ steps: [[text('Noted.'), stop()]] });
    const { page } = session;
    const keep = await session.api('POST', '/threads', { title: 'Keep me' });
    await page.reload();
    await sendMessage(page, 'Delete me later');
    await page.getByRole('article', { name: 'Titan' }).filter({ hasText: 'Noted.' }).waitFor();
    const doomedId = decodeURIComponent(new URL(page.url()).hash.replace('#/chat/', ''));

    const deleteButton = page.getByRole('button', { name: 'Delete chat: Delete me later' });
    await deleteButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete the chat “Delete me later”').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('link', { name: 'Delete me later' }).count(), 1, 'cancelled: still listed');

    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete chat' }).click();
    await page.getByRole('link', { name: 'Delete me later' }).waitFor({ state: 'detached' });
    await page.getByRole('article', { name: 'Titan' }).waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).hash, '#/chat', 'the open chat was the deleted one: the page leaves it');
    await page.getByRole('link', { name: 'Keep me' }).waitFor();

    const { threads } = await session.api('GET', '/threads');
    assert.deepEqual(
      threads.map((t: { id: string }) => t.id),
      [keep.id],
    );
    const gone = await fetch(`${session.gateway.url}/api/threads/${doomedId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
    assert.equal(gone.status, 404);
  });

  test('"Clear all chats" asks first, then deletes every chat of the user', async () => {
    const session = await suite.open();
    const { page } = session;
    for (const title of ['First', 'Second', 'Third']) await session.api('POST', '/threads', { title });
    await page.reload();
    await page.getByRole('link', { name: 'Third' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Chat list' }).getByRole('listitem').count(), 3);

    await page.getByRole('button', { name: 'Clear all chats' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('list', { name: 'Chat list' }).getByRole('listitem').count(), 3, 'cancelled: nothing deleted');

    await page.getByRole('button', { name: 'Clear all chats' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete all chats' }).click();
    await page.getByText('No chats yet.').waitFor();
    assert.equal(await page.getByRole('list', { name: 'Chat list' }).getByRole('listitem').count(), 0);
    assert.deepEqual((await session.api('GET', '/threads')).threads, []);
  });

  test("markdown renders (bold, lists, code) while HTML and script in the model's text never become elements", async () => {
    const payload = [
      '**Bold claim** and a list:',
      '',
      '- first item',
      '- second item',
      '',
      '`inline code` then <img src=x onerror="window.__titanXss = 1"> and <b onmouseover="window.__titanXss = 2">b</b>',
      '',
      '<script>window.__titanXss = 3</script>',
      '',
      '[click me](javascript:window.__titanXss=4) ![tracker](http://127.0.0.1:9/pixel.png)',
    ].join('\n');
    const session = await suite.open({ steps: [[text(payload.slice(0, 40)), { wait: 50 }, text(payload.slice(40)), stop()]] });
    const { page } = session;
    await sendMessage(page, 'show me markdown');
    const answer = page.getByRole('article', { name: 'Titan' });
    await answer.getByText('second item').waitFor();
    await page.waitForFunction(() => (document.getElementById('interrupt') as HTMLButtonElement).disabled);

    const check = async (when: string) => {
      await answer.locator('strong', { hasText: 'Bold claim' }).waitFor();
      assert.equal(await answer.locator('li').count(), 2, `${when}: the list renders`);
      assert.equal(await answer.locator('code', { hasText: 'inline code' }).count(), 1, `${when}: code renders`);
      const dom = await page.evaluate(() => ({
        img: document.querySelector('img') !== null,
        onerror: document.querySelector('[onerror], [onmouseover]') !== null,
        script: document.querySelector('#messages script') !== null,
        bold: document.querySelector('#messages b') !== null,
        jsLink: Array.from(document.querySelectorAll('#messages a')).some((a) => /^javascript:/i.test(a.getAttribute('href') ?? '')),
        flag: (window as unknown as { __titanXss?: number }).__titanXss,
      }));
      assert.deepEqual(
        dom,
        { img: false, onerror: false, script: false, bold: false, jsLink: false, flag: undefined },
        `${when}: no element from the model's HTML`,
      );
      assert.match((await answer.textContent()) ?? '', /<img src=x onerror=/, `${when}: the HTML shows as text, as the model wrote it`);
      await answer.getByText('click me').click();
      assert.equal(await page.evaluate(() => (window as unknown as { __titanXss?: number }).__titanXss), undefined, `${when}: the link runs nothing`);
    };
    await check('live');
    await page.reload();
    await check('from history');

    // Behind the sanitiser, the page's policy refuses any string as HTML (Trusted Types); the
    // refusal is logged, so the page's own record is checked first.
    assert.deepEqual(session.problems, []);
    const refused = await page.evaluate(() => {
      try {
        document.createElement('div').innerHTML = '<b>raw</b>';
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(refused, true);
    session.problems.length = 0;
  });
});
