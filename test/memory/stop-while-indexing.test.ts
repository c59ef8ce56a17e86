// A stop asked for while memory and the code graph index a large workspace is a stop: titan start
// exits at once, and the next start indexes what the first did not reach.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { startTitan } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

const NOTES = 3000;
const { home, cleanup } = await tempHome('titan-stop-indexing-');
after(cleanup);

test('SIGTERM while a 3,000-note workspace is being indexed stops titan start without waiting for the index', async () => {
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  const notes = path.join(home, 'workspace', 'notes');
  await mkdir(notes, { recursive: true });
  for (let i = 0; i < NOTES; i++) {
    await writeFile(path.join(notes, `n${i}.md`), `# Note ${i}\n\nMet Anna in Oslo about project ${i}.\n\n## Code\n\nfunction f${i}() { return g${i}(); }\n`);
  }
  const titan = await startTitan(home, 'gateway on ', { TITAN_PROVIDER: 'scripted' });
  const exited = new Promise<number | null>((resolve) => titan.child.once('exit', (code) => resolve(code)));
  titan.child.kill('SIGTERM');
  // Liveness, not speed: before the fix the stop waited for the whole index (minutes on 2 cores).
  const outcome = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000).unref())]);
  if (outcome === 'hung') titan.child.kill('SIGKILL');
  assert.equal(outcome, 0, `titan start did not stop:\n${titan.output().slice(-2000)}`);
});
