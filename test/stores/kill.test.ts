// A process killed with SIGKILL in the middle of a stream of writes: after a restart the database
// opens cleanly and every message the store acknowledged is there (and nothing twice). The writer
// is a real child process (writer-child.ts) with its own kernel; this process only reads its
// acknowledgements, shoots it, and looks at the database with a fresh kernel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StoredMessage } from '../../kernel/store-client.ts';
import { tempHome } from '../support/kernel.ts';
import { BACKENDS, databaseFor, integrityCheck, lazyPostgres, openKernelOn } from '../support/store.ts';

const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url));
const THREAD = 'killed-mid-stream';
const STREAMS = 4;
const KILL_AFTER_ACKS = 200;

const postgres = lazyPostgres();
after(() => postgres.stop());

/** Runs the writer until it has acknowledged `acks` messages, SIGKILLs it, and returns every id it acknowledged. */
async function writeThenKill(home: string, url: string, acks: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, home, THREAD, String(STREAMS)], {
    env: { ...process.env, TITAN_DB_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: string[] = [];
  let stderr = '';
  let partial = '';
  let ready = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') ready = true;
      else acked.push(line);
    }
    if (acked.length >= acks && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  assert.ok(ready, `the writer never got ready (exit ${code}): ${stderr}`);
  assert.equal(signal, 'SIGKILL', `the writer was to be killed mid-stream, but it exited with ${code}: ${stderr}`);
  assert.equal(partial, '', 'an acknowledgement line is written whole');
  return acked;
}

async function allMessages(list: (beforePos?: number) => Promise<StoredMessage[]>): Promise<StoredMessage[]> {
  const pages: StoredMessage[][] = [];
  let beforePos: number | undefined;
  for (;;) {
    const page = await list(beforePos);
    if (page.length === 0) return pages.reverse().flat();
    pages.push(page);
    beforePos = page[0].pos;
  }
}

for (const backend of BACKENDS) {
  test(`${backend}: a writer killed with SIGKILL mid-stream loses no acknowledged message, and the database reopens cleanly`, {
    timeout: 180_000,
  }, async (t) => {
    const { home, cleanup } = await tempHome('titan-kill-');
    try {
      const url = await databaseFor(backend, home, backend === 'postgres' ? await postgres.server() : undefined, 'kill');
      const acked = await writeThenKill(home, url, KILL_AFTER_ACKS);
      assert.ok(acked.length >= KILL_AFTER_ACKS);

      const kernel = await openKernelOn(home, url);
      try {
        if (backend === 'libsql') assert.equal(await integrityCheck(kernel), 'ok');
        assert.deepEqual(await kernel.restoreDeployments(), [], 'the store that served before the kill serves again');
        const status = await kernel.store.status();
        assert.equal(status.version, status.latest);

        const stored = await allMessages((beforePos) => kernel.store.listMessages(THREAD, 500, beforePos));
        const ids = stored.map((m) => m.id);
        assert.equal(new Set(ids).size, ids.length, 'no message is stored twice');
        t.diagnostic(`${acked.length} acknowledged before the kill, ${stored.length} stored after it`);
        const missing = acked.filter((id) => !ids.includes(id));
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged messages are missing`);
        // Each stream wrote one message at a time: what is stored is a prefix of it, the acknowledged
        // ones plus at most the one in flight when the kill came (committed but not yet acknowledged).
        for (let stream = 0; stream < STREAMS; stream++) {
          const mine = stored.filter((m) => m.id.startsWith(`s${stream}-`)).map((m) => Number(m.id.split('-')[1]));
          const ackedCount = acked.filter((id) => id.startsWith(`s${stream}-`)).length;
          assert.deepEqual(
            mine,
            Array.from({ length: mine.length }, (_, i) => i),
            `stream ${stream} is stored in order, without gaps`,
          );
          assert.ok(mine.length === ackedCount || mine.length === ackedCount + 1, `stream ${stream}: ${mine.length} stored, ${ackedCount} acknowledged`);
        }

        // The reopened database takes writes again.
        assert.deepEqual(await kernel.store.appendMessages(THREAD, [{ id: 'after-restart', role: 'user', content: 'still here' }]), {
          appended: 1,
          duplicates: 0,
        });
        assert.equal((await kernel.store.listMessages(THREAD, 1)).at(-1)?.id, 'after-restart');
        if (backend === 'libsql') assert.equal(await integrityCheck(kernel), 'ok');
      } finally {
        await kernel.close();
      }
    } finally {
      await cleanup();
    }
  });
}
