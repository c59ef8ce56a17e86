// Done means (issue 16): `titan start` on a workspace holding a real git repository (three authors,
// three reasons), on libSQL and on PostgreSQL. Asked "who calls parseConfig and why was it changed",
// the agent's model is offered the answer's outline by memory before it asks (callers and the
// commits that changed the function), calls the code-graph tool for callers and history, and
// answers with file:line and commit citations that match the repository; `titan code-graph history`
// and the memory-graph tool say the same through the running Titan.
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runTitan, startTitan, stopTitan, type RunningTitan } from '../support/cli.ts';
import { startCodeQuestionModel } from '../support/code-question-model.ts';
import { CONFIG_HISTORY, gitRepo } from '../support/git-repo.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { BACKENDS, databaseFor, lazyPostgres } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

type Message = { role: string; content: string; turn_id: string | null };

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const backend of BACKENDS) {
  describe(`who calls it and why was it changed: ${backend}`, () => {
    test('the agent answers from memory with file, line and commit citations', { timeout: 300_000 }, async () => {
      const { home, cleanup } = await tempHome('titan-who-changed-');
      const model = await startCodeQuestionModel();
      let running: RunningTitan | undefined;
      try {
        await symlink(TEST_CACHE, path.join(home, 'cache'));
        const [ada, grace] = (await gitRepo(path.join(home, 'workspace'), CONFIG_HISTORY)).map((h) => h.slice(0, 12));
        const env = {
          TITAN_DB_URL: await databaseFor(backend, home, backend === 'postgres' ? await postgres.server() : undefined, 'whochanged'),
          TITAN_PROVIDER: 'scripted',
          TITAN_SCRIPTED_LLM_URL: model.url,
          TITAN_LOG_TO: 'file',
        };
        running = await startTitan(home, 'gateway on ', env);
        const url = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output())?.[1];
        assert.ok(url, running.output());
        const { readFile } = await import('node:fs/promises');
        const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
        const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
          const response = await fetch(`${url}/api${route}`, {
            method,
            headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const parsed = (await response.json()) as T;
          if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(parsed)}`);
          return parsed;
        };

        // Both indexes fill in the background after start.
        await until('the code graph', async () => {
          const found = await api<{ results: unknown[] }>('GET', '/code-graph/callers?target=parseConfig');
          return found.results.length === 2 ? true : undefined;
        });
        await until('memory', async () => {
          const status = await api<{ documents: Record<string, number>; progress: { phase: string } }>('GET', '/memory/status');
          return status.documents.code === 3 && status.progress.phase === 'idle' ? true : undefined;
        });

        const thread = await api<{ id: string }>('POST', '/threads', { title: 'config' });
        await api('POST', `/threads/${thread.id}/messages`, { text: 'Who calls parseConfig and why was it changed?' });
        const answer = await until('the answer', async () => {
          const { messages } = await api<{ messages: Message[] }>('GET', `/threads/${thread.id}/messages`);
          const last = messages.at(-1);
          return last?.role === 'assistant' && !last.content.startsWith('{"titan":') ? last.content : undefined;
        });

        assert.equal(
          answer,
          'parseConfig is called by loadConfig (src/config.ts:3) and reload (src/server.ts:3). Changes, newest first: ' +
            `commit ${grace} by Grace Hopper on 2026-11-20: "parseConfig strips comments so operators can annotate titan.json" (src/config.ts:8-9); ` +
            `commit ${ada} by Ada Lovelace on 2026-11-02: "Add the config loader: parseConfig reads titan.json" (src/config.ts:7-11).`,
        );

        // Before any tool ran, memory had offered the turn the callers and who changed the function.
        const first = model.requests.find((r) => r.messages?.some((m) => m.role === 'user' && /who calls parseConfig/i.test(m.content ?? '')));
        const system = first?.messages?.find((m) => m.role === 'system')?.content ?? '';
        assert.match(system, /## From memory/);
        assert.match(system, /Callers: loadConfig \(src\/config\.ts:3\), reload \(src\/server\.ts:3\)/);
        assert.ok(
          system.includes(
            `Changed by: commit ${grace} by Grace Hopper on 2026-11-20, "parseConfig strips comments so operators can annotate titan.json" (src/config.ts:8-9)`,
          ),
          system,
        );

        // The memory-graph tool's answer about the function says who changed it too.
        const graph = await runTitan(['call', 'memory-graph', '{"entities": ["parseConfig"]}', '--json'], home, { env });
        assert.equal(graph.code, 0, graph.stderr);
        const changes = (JSON.parse(graph.stdout) as { changes?: Array<{ path: string; line: number; commits: Array<{ commit: string; author: string }> }> })
          .changes;
        assert.deepEqual(
          changes?.map((h) => [h.path, h.line, h.commits.map((c) => `${c.commit} ${c.author}`)]),
          [['src/config.ts', 7, [`${grace} Grace Hopper`, `${ada} Ada Lovelace`]]],
        );

        const cli = await runTitan(['code-graph', 'history', 'parseConfig'], home, { env });
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, new RegExp(`parseConfig \\(src/config\\.ts:7-11\\):\\n  ${grace} 2026-11-20 Grace Hopper: parseConfig strips comments`));
      } finally {
        if (running) await stopTitan(running.child);
        await model.close();
        await cleanup();
      }
    });
  });
}
