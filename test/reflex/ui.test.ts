// The web UI with reflexes (Debian's Chromium): a reflex answer is marked with "Ask the model
// instead", which brings the model's answer and counts against the reflex; the Reflexes page
// lists it with its counters and suspends it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startGateway } from '../../gateway/server.ts';
import { browserSkipReason, launchBrowser, sendMessage } from '../ui/support.ts';
import { learnWeather, modelTurn, reflexHarness } from './harness.ts';
import { INTENTS, rightAnswer } from './support.ts';

const weather = INTENTS.find((i) => i.id === 'weather')!;

test('a reflex answer is marked in the chat; "Ask the model instead" gets the model; the Reflexes page suspends it', {
  skip: browserSkipReason(),
}, async (t) => {
  const h = await reflexHarness(t);
  const thread = (await h.agent.createThread('ada')).id;
  await learnWeather(h, thread, weather);
  const [record] = h.reflexes.list();
  const gateway = await startGateway({ kernel: h.kernel, agent: h.agent, host: '127.0.0.1', port: 0, ownerId: 'ada', openAi: false });
  const token = (await readFile(path.join(h.home, 'gateway-token'), 'utf8')).trim();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await gateway.close();
  });
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${gateway.url}/#token=${encodeURIComponent(token)}`);
  await page.goto(`${gateway.url}/#/chat/${thread}`);
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  // History: the source turns were the model's, unmarked.
  await page.getByText(rightAnswer(weather, 'Paris').answer).waitFor();
  assert.equal(await page.locator('.answer-source').count(), 0);

  await sendMessage(page, 'weather in Oslo');
  await page.getByText(rightAnswer(weather, 'Oslo').answer).waitFor();
  const marker = page.locator('.answer-source').last();
  await marker.getByText(`Answered by a reflex (${record.name}@1.0.0), without the model.`).waitFor();

  h.steps.push(...modelTurn(weather, 'Oslo'));
  const calls = h.model.requests.length;
  await marker.getByRole('button', { name: 'Ask the model instead' }).click();
  await marker.getByRole('button', { name: 'Asked the model' }).waitFor();
  for (let i = 0; i < 300 && h.model.requests.length < calls + 2; i++) await new Promise((r) => setTimeout(r, 10));
  await page.locator('article.message.assistant:not([data-source])').last().getByText(rightAnswer(weather, 'Oslo').answer).waitFor();
  assert.equal(h.reflexes.get(record.name).rejections, 1);

  // Reloaded, the stored answer is still marked.
  await page.reload();
  await page.locator('.answer-source').first().waitFor();

  await page.getByRole('link', { name: 'Reflexes' }).click();
  const item = page.locator(`article[data-reflex="${record.name}"]`);
  await item.getByText('serving').waitFor();
  await item.getByText('Rejections').waitFor();
  await item.getByRole('button', { name: 'Suspend' }).click();
  await item.getByRole('button', { name: 'Resume' }).waitFor();
  assert.equal(h.reflexes.get(record.name).state, 'suspended');
  assert.deepEqual(problems, []);
});
