// The code-graph tool as the agent uses it: the built-in component asks titan:host/code-graph, which
// answers from the workspace's code graph that `titan start` opens; bad questions are refused as
// invalid input, and without a code graph the tool says why.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { startCodeGraph } from '../../agent/memory/code-graph/start.ts';
import { openStoreKernel } from '../../test/support/store.ts';

test('code-graph tool: definitions, callers, callees and a neighbourhood from the workspace; bad input refused', async () => {
  const store = await openStoreKernel('libsql');
  const { kernel } = store;
  const call = async (input: unknown) => JSON.parse((await kernel.call('tool', 'code-graph', 'invoke', [JSON.stringify(input)])) as string);
  try {
    await assert.rejects(call({ question: 'callers', target: 'parse' }), /TITAN_E_CODE_NOT_INDEXED/);
    await mkdir(path.join(kernel.workspace, 'app'), { recursive: true });
    await writeFile(path.join(kernel.workspace, 'app/parse.py'), 'def parse(text):\n    return tokens(text)\n\ndef tokens(text):\n    return text.split()\n');
    await writeFile(path.join(kernel.workspace, 'app/main.py'), 'from .parse import parse\n\ndef main():\n    return parse("a b")\n');
    const running = await startCodeGraph(kernel, undefined, { enabled: true, watch: false, maxFileBytes: 1 << 20 }, (m) => assert.fail(m));
    assert.ok(running);
    try {
      await running.indexed;
      const callers = await call({ question: 'callers', target: 'parse' });
      assert.deepEqual(
        callers.results.map((r: { qualified: string; path: string; line: number }) => `${r.path}:${r.line} ${r.qualified}`),
        ['app/main.py:3 main'],
      );
      const callees = await call({ question: 'callees', target: 'parse' });
      assert.deepEqual(
        callees.results.map((r: { qualified: string }) => r.qualified),
        ['tokens'],
      );
      const defs = await call({ question: 'definitions', target: 'tokens' });
      assert.deepEqual(
        defs.results.map((r: { path: string; line: number; kind: string }) => [r.path, r.line, r.kind]),
        [['app/parse.py', 4, 'function']],
      );
      const around = await call({ question: 'neighbourhood', target: 'app/main.py', limit: 3 });
      assert.ok(
        around.results.some((r: { qualified: string }) => r.qualified === 'parse'),
        JSON.stringify(around),
      );
      // Who changed it needs git: this workspace is no repository, and the tool says so.
      await assert.rejects(call({ question: 'history', target: 'parse' }), /TITAN_E_CODE_NO_GIT/);
      await assert.rejects(call({ question: 'history', target: 'parse', limit: 51 }), /invalid-input/);
      await assert.rejects(call({ question: 'who', target: 'x' }), /invalid-input/);
      await assert.rejects(call({ question: 'callers', target: 'x', limit: 0 }), /invalid-input/);
    } finally {
      await running.close();
    }
  } finally {
    await store.cleanup();
  }
});
