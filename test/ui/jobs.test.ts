// The web UI's Jobs page in real headless Chromium, against a real kernel, gateway and Docker
// engine: a command submitted from the page runs in the sandbox, its log appears live, its state
// moves to succeeded and its files download as a tar; a running job is cancelled from the page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createLlm, jobsSection, startScriptedLlm } from '../../agent/api.ts';
import { JobService } from '../../agent/services.ts';
import { NO_DOCKER, SOCKET, removeContainersOf } from '../jobs/support.ts';
import { browserSkipReason, uiSuite } from './support.ts';

describe('web UI: jobs', { skip: browserSkipReason() ?? NO_DOCKER }, () => {
  let jobs: JobService;
  const suite = uiSuite({
    setUp: async (ui) => {
      jobs = await JobService.start(ui.kernel, { ...jobsSection.defaults, dockerSocket: SOCKET });
      await jobs.engine.ensureImage(jobs.config.image, true);
    },
    tearDown: async (ui) => {
      await jobs?.close();
      await removeContainersOf(ui.kernel.paths.home);
    },
  });

  test('a job submitted from the page streams its log live, succeeds, and its files download as tar', async () => {
    const session = await suite.open({ jobs });
    const { page, gateway } = session;
    await page.goto(`${gateway.url}/#/jobs`);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByRole('textbox', { name: /Command/ }).fill('echo first line; sleep 2; echo result > made.txt; echo last line');
    await page.getByRole('button', { name: 'Run' }).click();
    const log = page.getByRole('log', { name: 'Output' });
    await log.getByText('first line').waitFor();
    // Live: the first line is there while the job still runs.
    assert.equal(await page.locator('#job-state').textContent(), 'running');
    await log.getByText('last line').waitFor({ timeout: 30_000 });
    await page.locator('#job-state', { hasText: 'succeeded' }).waitFor();
    await page.locator('#job-rows').getByText('succeeded').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download files (.tar)' }).click()]);
    const file = await download.path();
    assert.equal(execFileSync('tar', ['-xOf', file, 'made.txt'], { encoding: 'utf8' }), 'result\n');
  });

  test('a running job is cancelled from the page', async () => {
    const session = await suite.open({ jobs });
    const { page, gateway } = session;
    await page.goto(`${gateway.url}/#/jobs`);
    await page.getByRole('textbox', { name: /Command/ }).fill('echo waiting; sleep 60');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('log', { name: 'Output' }).getByText('waiting').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#job-state', { hasText: 'cancelled' }).waitFor();
    await page.getByText('cancelled by the user').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).isVisible(), false);
  });

  test('a swarm shows as a group: its parts with their jobs and merge, and its answer', { timeout: 180_000 }, async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), 'titan-ui-swarm-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
    git('init', '--quiet');
    await writeFile(path.join(repo, 'notes.txt'), 'old\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'start');
    const llm = await startScriptedLlm({
      script: {
        name: 'ui-swarm',
        turns: [
          {
            match: { lastUserContains: 'Refresh the notes' },
            content: [{ type: 'text', text: '{"parts":[{"title":"rewrite notes","prompt":"NOTES: rewrite notes.txt"}]}' }],
          },
          { match: { lastUserContains: 'NOTES:' }, content: [{ type: 'tool_call', name: 'write_file', arguments: { path: 'notes.txt', content: 'new\n' } }] },
          { match: { lastMessageContains: 'to notes.txt' }, content: [{ type: 'text', text: 'notes rewritten' }] },
          { match: { lastUserContains: 'Merge:' }, content: [{ type: 'text', text: 'The notes are new.' }] },
        ],
      },
    });
    try {
      const client = createLlm(suite.ui.kernel, { providers: [{ name: 'openai', component: 'openai', baseUrl: llm.baseUrls.openai, model: 'm' }], env: {} });
      jobs.useModel((request, options) => client.stream(request, options));
      const session = await suite.open({ jobs });
      const { page, gateway } = session;
      await page.goto(`${gateway.url}/#/jobs`);
      await page.getByRole('textbox', { name: /^Task/ }).fill('Refresh the notes');
      await page.getByRole('textbox', { name: /Git repository/ }).fill(repo);
      await page.getByRole('spinbutton', { name: 'Parts at most' }).fill('1');
      await page.getByRole('button', { name: 'Start swarm' }).click();
      const started = page.locator('#swarm-list article.swarm');
      await started.first().waitFor();
      const id = String(await started.first().getAttribute('data-swarm'));
      const swarm = await jobs.swarms.wait(id);
      assert.equal(swarm.state, 'succeeded', String(swarm.reason));
      await page.getByRole('button', { name: 'Refresh' }).click();
      const group = page.getByRole('article', { name: `Swarm ${swarm.id}` });
      await group.getByText('The notes are new.').waitFor();
      assert.equal(await group.locator('.state').textContent(), 'succeeded');
      assert.match(String(await group.locator('li[data-part="1"]').textContent()), /Part 1: rewrite notes succeeded, merged/);
      await group.getByRole('button', { name: 'Part 1: rewrite notes' }).click();
      await page.locator('#job-answer', { hasText: 'notes rewritten' }).waitFor();
    } finally {
      await llm.close();
      await rm(repo, { recursive: true, force: true });
    }
  });
});
