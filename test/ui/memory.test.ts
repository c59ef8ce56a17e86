// The web UI's Memory page in real headless Chromium: the status of what is remembered, the code
// graph drawn around a searched function (its callers, what it calls, the files holding them), its
// links said in words, and a click on a symbol centring the picture on it; a name nobody defines
// says so.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { memorySection } from '../../agent/api.ts';
import { startCodeGraph, startMemory } from '../../agent/services.ts';
import { browserSkipReason, uiSuite } from './support.ts';

describe('web UI: memory', { skip: browserSkipReason() }, () => {
  const suite = uiSuite();

  test('the code graph around a function: callers, callees and files, interactive', async () => {
    const { kernel } = suite.ui;
    const src = path.join(kernel.workspace, 'src');
    await mkdir(src, { recursive: true });
    await writeFile(
      path.join(src, 'config.ts'),
      'export function loadConfig(file: string) { return parseConfig(file); }\nexport function parseConfig(text: string) { return strip(text); }\nfunction strip(text: string) { return text.trim(); }\n',
    );
    await writeFile(path.join(src, 'main.ts'), "import { loadConfig } from './config.js';\nexport function main() { return loadConfig('titan.json'); }\n");
    const session = await suite.open();
    const memory = await startMemory(kernel, session.agent, undefined, { ...memorySection.defaults, watch: false });
    const code = await startCodeGraph(kernel, memory, { enabled: true, watch: false, maxFileBytes: 1 << 20 }, (m) => assert.fail(m));
    try {
      await code?.indexed;
      await memory?.idle();
      const { page } = session;
      await page.getByRole('link', { name: 'Memory' }).click();
      await page
        .locator('#memory-status')
        .getByText(/2 code/)
        .waitFor();

      await page.getByRole('searchbox', { name: 'Symbol or file' }).fill('parseConfig');
      await page.getByRole('button', { name: 'Show code' }).click();
      const picture = page.locator('#code-graph');
      await page.locator('#code-graph-links').getByText('loadConfig calls parseConfig', { exact: true }).waitFor();
      const links = await page.locator('#code-graph-links li').allTextContents();
      for (const link of ['parseConfig calls strip', 'src/config.ts contains parseConfig', 'src/main.ts imports src/config.ts']) {
        assert.ok(links.includes(link), `${link} in ${JSON.stringify(links)}`);
      }
      assert.match((await picture.getAttribute('aria-label')) ?? '', /^Code graph around parseConfig: \d+ symbols and files, \d+ links$/);
      // cytoscape drew it: its canvases fill the box.
      assert.ok((await picture.locator('canvas').count()) > 0);
      assert.ok(((await picture.boundingBox())?.height ?? 0) > 300);

      // A click on a symbol centres the picture on it.
      await page.locator('#code-graph-nodes').getByRole('button', { name: 'loadConfig', exact: true }).click();
      // 'main calls loadConfig' is in the picture around parseConfig too: wait for the new picture itself.
      await page.locator('#code-graph[aria-label^="Code graph around loadConfig:"]').waitFor();
      await page.locator('#code-graph-links').getByText('main calls loadConfig', { exact: true }).waitFor();
      assert.equal(await page.getByRole('searchbox', { name: 'Symbol or file' }).inputValue(), 'loadConfig');

      await page.getByRole('searchbox', { name: 'Symbol or file' }).fill('noSuchThing');
      await page.getByRole('button', { name: 'Show code' }).click();
      await page.locator('#code-graph-links').getByText('Nothing named noSuchThing in the code graph.').waitFor();
    } finally {
      await code?.close();
      await memory?.close();
    }
  });
});
