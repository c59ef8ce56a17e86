// `titan start` shot with SIGKILL while the parts after ready are still starting, with turns sent at
// the first 200 of /api/ready (waiting at the gate, or just let through and streaming), at several
// moments, then started again: no turn is left streaming, every message the gateway acknowledged is
// stored, every thread takes a new message and is answered, and every part after ready starts.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { PROJECT_ROOT, startTitan, stopTitan } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { databaseFor, openKernelOn } from '../support/store.ts';

/** When each start is killed: at the first 200 of ready (turns at the gate), or once its turns stream. */
const KILLS = ['at the gate', 'streaming', 'at the gate', 'streaming'] as const;
const THREADS = 4;
const ALL_PARTS_RUN = 'Ctrl-C stops.';

let home: string;
let cleanup: () => Promise<void>;
let llm: ScriptedLlm;
let dbUrl: string;
let env: NodeJS.ProcessEnv;
const threadIds: string[] = [];

type Started = { child: ChildProcess; base: string; token: string; output(): string };

/** Spawns `titan start` on a known port and resolves at the first 200 of /api/ready (polled every 5 ms). */
async function startUntilReady(): Promise<Started> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, TITAN_HOME: home, TITAN_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (const end = Date.now() + 120_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 5))) {
    assert.equal(child.exitCode, null, output);
    const ready = await fetch(`${base}/api/ready`).catch(() => undefined);
    if (ready?.status === 200) {
      const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
      return { child, base, token, output: () => output };
    }
  }
  child.kill('SIGKILL');
  throw new Error(`titan start was not ready in 120 s:\n${output}`);
}

async function post<T>(s: Started, route: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${s.base}/api${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

before(async () => {
  ({ home, cleanup } = await tempHome('titan-late-kill-'));
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  dbUrl = await databaseFor('libsql', home);
  // Slow enough that a turn let through the gate is still streaming when the later kills come.
  llm = await startScriptedLlm({
    script: {
      name: 'slow',
      whenExhausted: 'echo',
      turns: [{ repeat: true, firstDelayMs: 50, delayMs: 40, content: [{ type: 'text', text: 'one two three four five six seven eight nine ten' }] }],
    },
  });
  env = { TITAN_DB_URL: dbUrl, TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url };
  // The first start deploys the built-ins and makes the threads; the starts killed below restore them.
  const first = await startTitan(home, ALL_PARTS_RUN, { ...env });
  const base = /gateway on (http:\/\/\S+)/.exec(first.output())?.[1];
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const s = { child: first.child, base: base!, token, output: first.output };
  for (let i = 0; i < THREADS; i++) threadIds.push((await post<{ id: string }>(s, '/threads', { title: `late kill ${i}` })).body.id);
  await stopTitan(first.child);
});

after(async () => {
  await llm?.close();
  await cleanup?.();
});

test('SIGKILL while the parts after ready start, with turns waiting at the gate or streaming, loses no acknowledged message and leaves no turn streaming', {
  timeout: 300_000,
}, async (t) => {
  const acked: Array<{ threadId: string; turnId: string; messageId: string }> = [];
  let killedAtGate = 0;
  let killedStreaming = 0;
  for (const when of KILLS) {
    const s = await startUntilReady();
    const ackedHere: typeof acked = [];
    // Each thread gets a message the moment ready answers; the gate holds them until the later parts run.
    const sent = threadIds.map(
      (threadId, i) =>
        post<{ threadId: string; turnId: string; messageId: string }>(s, `/threads/${threadId}/messages`, { text: `question ${i} ${when}` })
          .then((r) => {
            if (r.status === 202) ackedHere.push(r.body);
          })
          .catch(() => {}), // cut by the kill: never acknowledged
    );
    if (when === 'at the gate') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (!s.output().includes(ALL_PARTS_RUN) && ackedHere.length === 0) killedAtGate += 1;
    } else {
      const asked = llm.timeline().length;
      for (const end = Date.now() + 60_000; (ackedHere.length < THREADS || llm.timeline().length < asked + THREADS) && Date.now() < end; )
        await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the model has started answering each
      if (ackedHere.length === THREADS) killedStreaming += 1;
    }
    const closed = once(s.child, 'close');
    s.child.kill('SIGKILL');
    await closed;
    await Promise.all(sent);
    acked.push(...ackedHere);
  }
  t.diagnostic(
    `${KILLS.length} starts killed: ${killedAtGate} with the turns at the gate, ${killedStreaming} with them streaming; ${acked.length} messages acknowledged`,
  );
  assert.ok(killedAtGate >= 1, 'a start was killed while its turns waited at the gate for the parts after ready');
  assert.equal(killedStreaming, 2, 'both streaming kills came with every turn acknowledged and asked of the model');

  // Started again: everything runs, each thread takes a new message and it is answered.
  const s = await startUntilReady();
  try {
    const again = await Promise.all(threadIds.map((threadId) => post<{ turnId: string }>(s, `/threads/${threadId}/messages`, { text: 'are you back?' })));
    assert.deepEqual(
      again.map((r) => r.status),
      threadIds.map(() => 202),
      JSON.stringify(again.map((r) => r.body)),
    );
    const answered = async (threadId: string): Promise<boolean> => {
      const response = await fetch(`${s.base}/api/threads/${threadId}/messages`, { headers: { authorization: `Bearer ${s.token}` } });
      const { messages } = (await response.json()) as { messages: Array<{ role: string; content: string }> };
      return messages.at(-1)?.role === 'assistant' && messages.at(-2)?.content === 'are you back?';
    };
    // Answered, and the start goes on to its end (the built-ins' check after ready prints the line last).
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100)))
      if (s.output().includes(ALL_PARTS_RUN) && (await Promise.all(threadIds.map(answered))).every(Boolean)) break;
    assert.ok(s.output().includes(ALL_PARTS_RUN), s.output());
  } finally {
    await stopTitan(s.child);
  }

  const kernel = await openKernelOn(home, dbUrl);
  try {
    await kernel.restoreDeployments();
    assert.deepEqual(await kernel.store.op('turns.stale', {}), [], 'no turn is left streaming');
    for (const a of acked) {
      const messages = await kernel.store.listMessages(a.threadId, 200);
      assert.ok(
        messages.some((m) => m.id === a.messageId),
        `acknowledged message ${a.messageId} is stored`,
      );
      assert.equal((await kernel.store.op('turns.get', { id: a.turnId })).state, 'interrupted', `cut turn ${a.turnId}`);
    }
    // The last message of each thread is the answer to "are you back?", given after the restart.
    for (const threadId of threadIds) {
      const messages = await kernel.store.listMessages(threadId, 200);
      const last = messages.at(-1);
      assert.equal(last?.role, 'assistant', `thread ${threadId} ends with an answer`);
      assert.match(last.content, /one two three/);
    }
  } finally {
    await kernel.close();
  }
});
