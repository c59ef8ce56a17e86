// The agent uses the built-in web tools in a turn, as after `npm start`: the model searches
// (SearXNG here, on a local server speaking its JSON API), reads a result with web-fetch, and the
// page's Markdown reaches the model's next request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from '../../agent/loop/agent.ts';
import { bootstrapBuiltins } from '../../kernel/api.ts';
import { openTestKernel } from '../support/kernel.ts';
import { serveLocally } from '../support/local-server.ts';
import { scriptedModel, toolCall } from '../support/model-double.ts';

test('a turn searches the web and reads a result with the built-in tools', async (t) => {
  const { port } = await serveLocally(t, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/search') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          query: url.searchParams.get('q'),
          number_of_results: 1,
          answers: [],
          corrections: [],
          infoboxes: [],
          suggestions: [],
          unresponsive_engines: [],
          results: [
            {
              url: `http://127.0.0.1:${port}/otters`,
              title: 'Otters',
              content: 'All about otters',
              engine: 'bing',
              engines: ['bing'],
              positions: [1],
              score: 1,
              category: 'general',
            },
          ],
        }),
      );
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        '<html><head><title>Otters</title></head><body><article><h1>Otters</h1><p>Otters hold hands while they sleep so that they do not drift apart, a habit called rafting that keeps whole families together on the water.</p></article></body></html>',
      );
  });
  const local = { allow: [{ host: '127.0.0.1', schemes: ['http'], methods: ['GET'], private: true }] };
  const { kernel, cleanup } = await openTestKernel({
    config: {
      components: {
        'tool/web-search': { capabilities: { http: local }, settings: { api: 'searxng', url: `http://127.0.0.1:${port}` } },
        'tool/web-fetch': { capabilities: { http: local } },
      },
    },
  });
  t.after(cleanup);
  const report = await bootstrapBuiltins(kernel);
  assert.deepEqual(report.failed, []);

  const llm = scriptedModel([
    [...toolCall(0, 's1', 'web-search', { query: 'why do otters hold hands' }), { type: 'stop', reason: 'tool_use' }],
    [...toolCall(0, 'f1', 'web-fetch', { url: `http://127.0.0.1:${port}/otters` }), { type: 'stop', reason: 'tool_use' }],
    [
      { type: 'text', text: 'So they do not drift apart.' },
      { type: 'stop', reason: 'end_turn' },
    ],
  ]);
  const agent = new Agent(kernel, { workspace: kernel.workspace, llm });
  await agent.start();
  t.after(() => agent.close());
  const thread = await agent.createThread('ada');
  const sent = await agent.send('ada', thread.id, 'Why do otters hold hands?');
  assert.equal((await sent.run.done).state, 'completed');
  const offered = JSON.stringify((llm.requests[0] as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name));
  assert.match(offered, /"web-fetch"/);
  assert.match(offered, /"web-search"/);
  assert.match(JSON.stringify(llm.requests[1]), /All about otters/);
  assert.match(JSON.stringify(llm.requests[2]), /Otters hold hands while they sleep/);
});
