// The database failing under running turns, as a user of the gateway meets it: PostgreSQL stopped
// while turns stream does not take Titan down; the turns fail with a coded error, /api/ready says
// 503 and why, and when PostgreSQL is back everything serves again by itself (no turn left
// streaming). A full disk (libSQL, its page limit reached) fails writes with TITAN_E_DISK_FULL and
// /api/ready says so; once there is room again, turns complete.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { Agent, type TurnEvent } from '../../agent/api.ts';
import { startGateway, type Gateway } from '../../gateway/server.ts';
import type { Kernel } from '../../kernel/api.ts';
import { scriptedModel, type Step } from '../support/model-double.ts';
import { lazyPostgres, openStoreKernel, type Backend, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

type Running = { store: StoreKernel; kernel: Kernel; agent: Agent; gateway: Gateway; events: TurnEvent[]; token: string; close(): Promise<void> };

async function running(backend: Backend, steps: Step[]): Promise<Running> {
  const store = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'faults' });
  const kernel = store.kernel;
  const agent = new Agent(kernel, { workspace: path.join(store.home, 'workspace'), llm: scriptedModel(steps) });
  await agent.start();
  const gateway = await startGateway({ kernel, agent, port: 0, ownerId: 'ada' });
  const token = (await readFile(path.join(store.home, 'gateway-token'), 'utf8')).trim();
  const events: TurnEvent[] = [];
  kernel.bus.on('turn.event', (e) => events.push(e));
  return {
    store,
    kernel,
    agent,
    gateway,
    events,
    token,
    async close() {
      await gateway.close();
      await agent.close();
      await store.cleanup();
    },
  };
}

async function call(r: Running, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${r.gateway.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${r.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const slow = (text: string): Step => [
  ...text.split(' ').flatMap((word) => [{ wait: 80 }, { type: 'text' as const, text: `${word} ` }]),
  { type: 'stop', reason: 'end_turn' },
];

test('postgres stopped while turns stream: Titan stays up, the turns fail with a coded error, /api/ready is 503 with the reason, and service resumes when it returns', {
  timeout: 180_000,
}, async (t) => {
  const TURNS = 4;
  const r = await running('postgres', [
    ...Array.from({ length: TURNS }, () => slow('one two three four five six seven eight nine ten eleven twelve')),
    slow('back again'),
  ]);
  t.after(() => r.close());
  const server = await postgres.server();
  const threads = await Promise.all(Array.from({ length: TURNS }, () => r.agent.createThread('ada')));
  const sent = await Promise.all(threads.map((thread) => r.agent.send('ada', thread.id, 'talk slowly')));
  await until('text on every turn', async () => (sent.every((s) => r.events.some((e) => e.turnId === s.turnId && e.type === 'text')) ? true : undefined));

  await server.stopServer();
  const outcomes = await Promise.all(sent.map((s) => s.run.done));
  assert.deepEqual(
    outcomes.map((o) => o.state),
    sent.map(() => 'failed'),
  );
  const codes = outcomes.map((o) => o.error?.code);
  for (const code of codes) assert.ok(code === 'TITAN_E_WRITE_FAILED' || code === 'TITAN_E_DB_UNAVAILABLE', `a coded storage error, got ${code}`);
  for (const s of sent)
    assert.ok(
      r.events.some((e) => e.turnId === s.turnId && e.type === 'turn.failed'),
      'clients are told the turn ended',
    );

  const ready = await fetch(`${r.gateway.url}/api/ready`);
  assert.equal(ready.status, 503);
  const why = (await ready.json()) as { missing: string[] };
  assert.ok(
    why.missing.some((m) => /TITAN_E_DB_UNAVAILABLE|does not answer/.test(m)),
    JSON.stringify(why),
  );
  const refused = await call(r, 'POST', `/api/threads/${threads[0].id}/messages`, { text: 'anyone there?' });
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
  assert.match(refused.body.error.code, /TITAN_E_(WRITE_FAILED|DB_UNAVAILABLE)/);

  await server.startServer();
  // No restart of Titan: readiness and the failed turns' state come back by themselves.
  await until('/api/ready 200', async () => ((await fetch(`${r.gateway.url}/api/ready`)).status === 200 ? true : undefined));
  await until('the failed turns stored as failed', async () => {
    const states = await Promise.all(sent.map((s) => r.kernel.store.op('turns.get', { id: s.turnId }).then((x) => x.state)));
    return states.every((s) => s === 'failed') ? true : undefined;
  });
  assert.deepEqual(await r.kernel.store.op('turns.stale', {}), [], 'no turn is left streaming');
  const again = await r.agent.send('ada', threads[0].id, 'are you back?');
  assert.equal((await again.run.done).state, 'completed');
});

test('libsql disk full: a turn fails with TITAN_E_DISK_FULL, /api/ready says the disk is full, and with room again turns complete', {
  timeout: 120_000,
}, async (t) => {
  const r = await running('libsql', [slow('this answer will not fit'), slow('now it fits')]);
  t.after(() => r.close());
  const thread = await r.agent.createThread('ada');
  // The database may not grow past its current pages: every write that needs a new page fails
  // with SQLITE_FULL, as on a full disk.
  const db = r.kernel.db;
  const pages = Number((await db.run('PRAGMA page_count', [])).rows[0][0]);
  await db.run(`PRAGMA max_page_count = ${pages}`, []);
  const big = 'x'.repeat(200_000);
  const refused = await call(r, 'POST', `/api/threads/${thread.id}/messages`, { text: big });
  assert.equal(refused.status, 507, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'TITAN_E_DISK_FULL');
  assert.match(refused.body.error.fix, /free space/);
  const ready = await fetch(`${r.gateway.url}/api/ready`);
  assert.equal(ready.status, 503);
  assert.match(JSON.stringify(await ready.json()), /TITAN_E_DISK_FULL/);

  await db.run('PRAGMA max_page_count = 1073741823', []);
  const sent = await r.agent.send('ada', thread.id, big);
  assert.equal((await sent.run.done).state, 'completed');
  assert.equal((await fetch(`${r.gateway.url}/api/ready`)).status, 200, 'a write that succeeds clears the full disk');
});
