// `titan chat` with no Titan running starts one, and that Titan runs as the `titan` command would:
// with its Node flags and environment (2 MB semi-spaces, two malloc arenas), not Node's defaults.
import assert from 'node:assert/strict';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startScriptedLlm } from '../../agent/api.ts';
import { TEST_CACHE, tempHome } from '../../test/support/kernel.ts';
import { connect } from './connection.ts';

test('a chat that starts Titan starts it with the titan command’s Node flags and environment, and stops it on close', async () => {
  const { home, cleanup } = await tempHome('titan-chat-start-');
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  const llm = await startScriptedLlm({ script: { name: 'chat-start', turns: [] } });
  const saved = { ...process.env };
  Object.assign(process.env, { TITAN_HOME: home, TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url, TITAN_PORT: '0' });
  try {
    const connection = await connect({ start: true });
    const pid = connection.startedPid;
    assert.ok(pid, 'the chat started a Titan');
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const environment = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    assert.ok(args.includes('--max-semi-space-size=2') && args.includes('--heap-growing-percent=20'), args.join(' '));
    assert.ok(environment.includes('MALLOC_ARENA_MAX=2'));
    assert.deepEqual(await connection.threads(), []);
    await connection.close();
    await assert.rejects(readFile(`/proc/${pid}/cmdline`, 'utf8'), 'the started Titan stopped with the chat');
  } finally {
    process.env = saved;
    await llm.close();
    await cleanup();
  }
});
