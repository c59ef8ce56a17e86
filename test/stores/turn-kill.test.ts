// `titan start` shot with SIGKILL while 20 turns stream, then started again: no turn is left
// streaming, every message the gateway acknowledged is stored, each cut turn keeps what it had said
// (marked cut off) and ends with a final event, and each thread takes a new message at once. On the
// libSQL file and on PostgreSQL. The model is the scripted LLM server, streaming slowly.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { PROJECT_ROOT } from '../support/cli.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { BACKENDS, databaseFor, lazyPostgres, openKernelOn } from '../support/store.ts';

const TURNS = 20;
const WORDS = 'the quick brown fox jumps over the lazy dog and keeps on running '.repeat(12).trim();

const postgres = lazyPostgres();
after(() => postgres.stop());

type Started = { child: ChildProcess; url: string; token: string; output: () => string };

/** `titan start` on `home`; resolves once the gateway answers /api/ready. */
async function start(home: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, TITAN_HOME: home, TITAN_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null) throw new Error(`titan start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`titan start did not open its gateway:\n${output}`);
    url = /gateway on (http:\/\/\S+)/.exec(output)?.[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  for (;;) {
    const ready = await fetch(`${url}/api/ready`).catch(() => undefined);
    if (ready?.ok) break;
    if (Date.now() > deadline) throw new Error(`not ready: ${await ready?.text()}\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { readFile } = await import('node:fs/promises');
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  return { child, url, token, output: () => output };
}

async function api<T>(s: Started, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${s.url}/api${route}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Opens the thread's SSE stream from `lastEventId`; true once a turn.interrupted event arrives (it is stored: it comes at once; 30 s at most, for a busy machine). */
async function resumeUntilInterrupted(s: Started, threadId: string, lastEventId: string): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  try {
    const response = await fetch(`${s.url}/api/threads/${threadId}/events`, {
      headers: { authorization: `Bearer ${s.token}`, 'last-event-id': lastEventId },
      signal: abort.signal,
    });
    let text = '';
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      text += Buffer.from(value).toString('utf8');
      if (/"type":"turn\.interrupted"/.test(text)) return true;
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

async function stop(s: Started, signal: NodeJS.Signals): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const closed = once(s.child, 'close');
  s.child.kill(signal);
  await closed;
}

for (const backend of BACKENDS) {
  test(`${backend}: SIGKILL of titan start during ${TURNS} streaming turns, then a restart: 0 turns left streaming, 0 acknowledged messages lost`, {
    timeout: 420_000,
  }, async (t) => {
    const { home, cleanup } = await tempHome('titan-turn-kill-');
    let llm: ScriptedLlm | undefined;
    let running: Started | undefined;
    try {
      // The components come from the shared test build cache: nothing is compiled here.
      await symlink(TEST_CACHE, path.join(home, 'cache'));
      const dbUrl = await databaseFor(backend, home, backend === 'postgres' ? await postgres.server() : undefined, 'turnkill');
      llm = await startScriptedLlm({
        script: { name: 'slow', whenExhausted: 'echo', turns: [{ repeat: true, firstDelayMs: 100, delayMs: 60, content: [{ type: 'text', text: WORDS }] }] },
      });
      const env = { TITAN_DB_URL: dbUrl, TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url };

      running = await start(home, env);
      const acked: Array<{ threadId: string; turnId: string; messageId: string }> = [];
      await Promise.all(
        Array.from({ length: TURNS }, async (_, i) => {
          const thread = await api<{ id: string }>(running!, 'POST', '/threads', { title: `kill ${i}` });
          const sent = await api<{ threadId: string; turnId: string; messageId: string }>(running!, 'POST', `/threads/${thread.body.id}/messages`, {
            text: `question ${i}`,
          });
          assert.equal(sent.status, 202, JSON.stringify(sent.body));
          acked.push(sent.body);
        }),
      );
      // Every turn is streaming: the model has been asked 20 times and has sent words to each.
      for (let waited = 0; llm.timeline().length < TURNS && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1500));
      await stop(running, 'SIGKILL');
      running = undefined;

      running = await start(home, env);
      const said = /(\d+) turn\(s\) running when Titan last stopped are marked interrupted/.exec(running.output());
      const recovered = Number(said?.[1] ?? 0);
      // A client that resumes its stream (EventSource reconnects with Last-Event-ID) gets the final event.
      const resumed = await resumeUntilInterrupted(running, acked[0].threadId, `${acked[0].turnId}:1`);
      assert.ok(resumed, 'a resumed stream ends the cut turn with turn.interrupted');
      // A new message in each cut thread works at once and is answered.
      const again = await Promise.all(
        acked.map((a) => api<{ turnId: string }>(running!, 'POST', `/threads/${a.threadId}/messages`, { text: 'are you back?' })),
      );
      assert.deepEqual(
        again.map((r) => r.status),
        acked.map(() => 202),
        JSON.stringify(again.filter((r) => r.status !== 200).map((r) => r.body)),
      );
      await stop(running, 'SIGTERM');
      running = undefined;

      const kernel = await openKernelOn(home, dbUrl);
      try {
        await kernel.restoreDeployments();
        const stale = await kernel.store.op('turns.stale', {});
        const lost: string[] = [];
        let cutOff = 0;
        let finalEvents = 0;
        for (const a of acked) {
          const messages = await kernel.store.listMessages(a.threadId, 100);
          if (!messages.some((m) => m.id === a.messageId)) lost.push(a.messageId);
          if (messages.some((m) => m.turn_id === a.turnId && m.content.endsWith('[cut off]'))) cutOff += 1;
          const turn = await kernel.store.op('turns.get', { id: a.turnId });
          assert.equal(turn.state, 'interrupted', `turn ${a.turnId}`);
          const events = await kernel.store.op('events.list', { turnId: a.turnId });
          if (events.at(-1)?.type === 'turn.interrupted') finalEvents += 1;
        }
        t.diagnostic(
          `${backend}: ${acked.length} acknowledged, ${recovered} turns recovered as interrupted, ${stale.length} left streaming, ${lost.length} acknowledged messages lost, ${cutOff} partial answers kept, ${finalEvents} final events stored`,
        );
        assert.equal(stale.length, 0, 'no turn is left streaming');
        assert.deepEqual(lost, [], 'no acknowledged message is lost');
        assert.equal(recovered, TURNS, 'every cut turn was recovered at the restart');
        assert.equal(cutOff, TURNS, 'each cut turn keeps what it had said, marked cut off');
        assert.equal(finalEvents, TURNS, 'each cut turn ends with a final event for resuming streams');
      } finally {
        await kernel.close();
      }
    } finally {
      if (running) await stop(running, 'SIGKILL');
      await llm?.close();
      await cleanup();
    }
  });
}
