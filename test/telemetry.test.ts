// Traces as an operator's collector receives them: `titan start` with OTEL_EXPORTER_OTLP_ENDPOINT
// exports over OTLP/HTTP, and one real turn through the OpenAI-compatible API (the scripted model
// calls the echo tool, then answers) arrives as one span tree: the gateway's request, the agent's
// turn under it, and under the turn the provider stream, the tool call and the store operations.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedLlm, type ScriptedLlm } from '../agent/api.ts';
import { startTitan, stopTitan } from './support/cli.ts';
import { TEST_CACHE, tempHome } from './support/kernel.ts';

type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Array<{ key: string; value: { stringValue?: string } }> };
type OtlpExport = { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };

const spans: OtlpSpan[] = [];
let collector: Server;
let llm: ScriptedLlm;
let titan: ChildProcess;
let gateway: string;
let token: string;
let cleanup: () => Promise<void>;

/** A minimal OTLP/HTTP collector: keeps every span of every JSON export it receives. */
function startCollector(): Promise<string> {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        for (const resource of (JSON.parse(body) as OtlpExport).resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => collector.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`)));
}

before(async () => {
  const endpoint = await startCollector();
  llm = await startScriptedLlm({
    script: {
      name: 'traced-turn',
      turns: [
        { route: 'openai', content: [{ type: 'tool_call', name: 'echo', arguments: { text: 'traced' } }] },
        { route: 'openai', content: [{ type: 'text', text: 'The echo said traced.' }] },
      ],
    },
    port: 0,
  });
  const made = await tempHome('titan-telemetry-');
  cleanup = made.cleanup;
  await mkdir(made.home, { recursive: true });
  await symlink(TEST_CACHE, path.join(made.home, 'cache'));
  const running = await startTitan(made.home, 'gateway on ', {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    TITAN_PROVIDER: 'scripted',
    TITAN_SCRIPTED_LLM_URL: llm.baseUrls.openai,
    TITAN_LOG_TO: 'file',
  });
  titan = running.child;
  const [, url, tokenFile] = /gateway on (http:\/\/\S+) \(token in (\S+)\)/.exec(running.output()) ?? [];
  gateway = url;
  token = (await readFile(tokenFile, 'utf8')).trim();
});

after(async () => {
  await stopTitan(titan);
  await llm.close();
  // The exporter keeps its connection alive: close it, or the server never finishes closing.
  collector.closeAllConnections();
  await new Promise((resolve) => collector.close(resolve));
  await cleanup();
});

test('a turn arrives at the collector as one span tree: gateway -> agent -> provider, tool and store', async () => {
  const response = await fetch(`${gateway}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: 'echo something' }] }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const answer = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  assert.equal(answer.choices[0].message.content, 'The echo said traced.');

  // Spans are exported in batches about every second.
  const turnOf = () => spans.find((s) => s.name === 'agent.turn');
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const turn = turnOf();
    if (turn && spans.some((s) => s.parentSpanId === turn.spanId && s.name === 'tool echo.invoke')) break;
  }
  const turn = turnOf();
  assert.ok(turn, `no agent.turn span among: ${spans.map((s) => s.name).join(', ')}`);
  const request = spans.find((s) => s.spanId === turn.parentSpanId);
  assert.equal(request?.name, 'HTTP POST /v1/chat/completions', 'the turn nests under the gateway request');
  const children = spans.filter((s) => s.parentSpanId === turn.spanId).map((s) => s.name);
  assert.equal(children.filter((name) => name === 'provider scripted').length, 2, 'two model calls: the tool call, then the answer');
  assert.ok(children.includes('tool echo.invoke'), `the tool call nests under the turn: ${children.join(', ')}`);
  assert.ok(
    children.some((name) => name.startsWith('store messages.')),
    `store operations nest under the turn: ${children.join(', ')}`,
  );
  const provider = spans.find((s) => s.parentSpanId === turn.spanId && s.name === 'provider scripted');
  assert.ok(
    spans.some((s) => s.parentSpanId === provider?.spanId && s.name === 'provider openai.decode-stream'),
    'the provider component decoding the stream nests under the provider span',
  );
  // The turn's own spans share its trace; background work after it (memory indexing the turn) makes
  // store spans of the same names in traces of its own.
  assert.ok(
    spans.filter((s) => s.parentSpanId === turn.spanId || s.spanId === turn.parentSpanId).every((s) => s.traceId === turn.traceId),
    'one trace',
  );
  assert.ok(!JSON.stringify(spans).includes('echo something'), 'no message text in span attributes');
});
