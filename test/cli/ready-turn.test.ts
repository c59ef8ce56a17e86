// What the first 200 of /api/ready promises on a restarted home (where the built-ins' check, the
// components' first loads, and the parts after the gateway - reflexes, memory, code graph, channels,
// jobs, routines - come after ready): a turn sent at that moment is answered, one that calls a tool
// too, one whose tool reaches the memory, and the routes of the parts started after ready answer as
// they do once everything runs (requests wait for those parts; none finds one missing).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { PROJECT_ROOT, startTitan, stopTitan } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';

let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;

before(async () => {
  ({ home, cleanup } = await tempHome('titan-ready-turn-'));
  await mkdir(TEST_CACHE, { recursive: true });
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  llm = await startScriptedLlm({
    script: {
      name: 'ready',
      whenExhausted: 'echo',
      turns: [
        { match: { lastUserContains: 'what time' }, content: [{ type: 'tool_call', name: 'clock', arguments: {} }] },
        { match: { lastMessageContains: 'epochMs' }, content: [{ type: 'text', text: 'the clock answered' }] },
        // The memory runs from a part started after ready: without it the tool answers TITAN_E_MEMORY_DISABLED.
        { match: { lastUserContains: 'search my notes' }, content: [{ type: 'tool_call', name: 'memory-search', arguments: { query: 'notes' } }] },
        { match: { lastMessageContains: '"results":' }, content: [{ type: 'text', text: 'the memory answered' }] },
      ],
    },
  });
  // The first start deploys the built-ins; the one measured below restores them.
  const first = await startTitan(home, 'Ctrl-C stops', { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url });
  await stopTitan(first.child);
});

after(async () => {
  await llm?.close();
  await cleanup?.();
});

test('a turn sent the moment /api/ready first answers 200 is answered, one calling a tool, one searching the memory, and the later parts answer', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TITAN_HOME: home, TITAN_PORT: String(port), TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    let ready: Response | undefined;
    for (const end = Date.now() + 120_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 5))) {
      assert.equal(child.exitCode, null, output);
      ready = await fetch(`${base}/api/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
    }
    assert.ok(ready?.status === 200, output);
    assert.match(ready.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await ready.json()) as { ok: boolean }).ok, true);
    const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
    const turn = async (content: string): Promise<string> => {
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content }] }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content;
    };
    const get = async (route: string): Promise<number> => {
      const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200, `${route}: ${await response.clone().text()}`);
      return response.status;
    };
    const [plain, tool, memory] = await Promise.all([
      turn('hello right after ready'),
      turn('what time is it?'),
      turn('search my notes'),
      get('/api/memory/status'),
      get('/api/reflexes'),
      get('/api/routines'),
      get('/api/jobs'),
    ]);
    assert.equal(plain, 'echo: hello right after ready');
    assert.equal(tool, 'the clock answered');
    assert.equal(memory, 'the memory answered');
  } finally {
    await stopTitan(child);
  }
});
