// A model for "who calls X and why was it changed", served over the OpenAI wire format on 127.0.0.1
// (Titan reaches it as TITAN_PROVIDER=scripted). It does what a real model does with the question:
// asks the code-graph tool who calls X, then asks it for X's history, then answers from the two tool
// results only, citing file:line and commit. Every request is kept (the system prompt shows what
// memory offered the turn). Anything else (background work) gets a short plain answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Message = { role: string; content?: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> };
type Body = { messages?: Message[]; tools?: Array<{ function?: { name?: string } }> };
type Caller = { qualified: string; path: string; line: number };
type Change = { symbol: string; path: string; commits: Array<{ commit: string; author: string; date: string; subject: string; lines: number[] }> };

export type CodeQuestionModel = { url: string; requests: Body[]; close(): Promise<void> };

function results<T>(content: string | null | undefined): T[] {
  const text = content ?? '';
  try {
    return (JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { results?: T[] }).results ?? [];
  } catch {
    return [];
  }
}

/** The next move: a tool call, or the answer written from what the tools returned. */
function decide(body: Body): { text: string } | { tool: string; args: object } {
  const messages = body.messages ?? [];
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const symbol = /who calls `?([\w$.]+)`?/i.exec(question)?.[1];
  if (!symbol) return { text: 'ok' };
  if (!(body.tools ?? []).some((t) => t.function?.name === 'code-graph')) return { text: 'I have no code-graph tool to look this up with.' };
  const asked = (question: string) =>
    messages.findIndex(
      (m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.function.name === 'code-graph' && c.function.arguments.includes(`"${question}"`)),
    );
  const answerTo = (index: number) => messages.slice(index + 1).find((m) => m.role === 'tool')?.content;
  const callersAt = asked('callers');
  if (callersAt < 0) return { tool: 'code-graph', args: { question: 'callers', target: symbol } };
  const historyAt = asked('history');
  if (historyAt < 0) return { tool: 'code-graph', args: { question: 'history', target: symbol } };
  const callers = results<Caller>(answerTo(callersAt));
  const history = results<Change>(answerTo(historyAt));
  const who = callers.length ? callers.map((c) => `${c.qualified} (${c.path}:${c.line})`).join(' and ') : 'nothing in the workspace';
  const why = history.flatMap((h) =>
    h.commits.map((c) => {
      const lines = c.lines.length ? `:${Math.min(...c.lines)}-${Math.max(...c.lines)}` : '';
      return `commit ${c.commit} by ${c.author} on ${c.date.slice(0, 10)}: "${c.subject}" (${h.path}${lines})`;
    }),
  );
  return { text: `${symbol} is called by ${who}. Changes, newest first: ${why.join('; ') || 'none recorded in git'}.` };
}

function chunk(delta: object, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-cq', object: 'chat.completion.chunk', created: 0, model: 'titan-scripted', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

function respond(res: ServerResponse, move: ReturnType<typeof decide>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(chunk({ role: 'assistant', content: '' }));
  if ('tool' in move) {
    const call = {
      index: 0,
      id: `call_${Math.random().toString(36).slice(2, 10)}`,
      type: 'function',
      function: { name: move.tool, arguments: JSON.stringify(move.args) },
    };
    res.write(chunk({ tool_calls: [call] }));
    res.write(chunk({}, 'tool_calls'));
  } else {
    res.write(chunk({ content: move.text }));
    res.write(chunk({}, 'stop'));
  }
  res.end('data: [DONE]\n\n');
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of req) text += String(piece);
  return text;
}

export async function startCodeQuestionModel(): Promise<CodeQuestionModel> {
  const requests: Body[] = [];
  const server = createServer((req, res) => {
    void read(req).then((raw) => {
      if (req.method === 'POST' && req.url?.startsWith('/v1/chat/completions')) {
        const body = JSON.parse(raw) as Body;
        requests.push(body);
        return respond(res, decide(body));
      }
      res.writeHead(req.url?.startsWith('/v1/models') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'titan-scripted', object: 'model' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
