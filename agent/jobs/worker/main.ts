// The agent worker that runs INSIDE an agent job's container (mounted read-only at /opt/titan/worker,
// run by Titan's own Node, also mounted read-only). It holds no provider key: it fetches its job,
// asks Titan for every model answer, runs the tools the model calls on /workspace, reports each step,
// and completes with the final answer - all over the unix socket at $TITAN_SOCKET with the job's token.
// Node built-ins only: nothing else exists in the container.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';

type ToolCall = { id: string; name: string; arguments: string };
type Message =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string; name?: string };
type JobInfo = { id: string; prompt: string; maxSteps: number };
type Answer = { text: string; toolCalls: ToolCall[] };

const SOCKET = process.env.TITAN_SOCKET ?? '/run/titan/worker.sock';
const TOKEN = process.env.TITAN_JOB_TOKEN ?? '';
const WORKSPACE = '/workspace';
/** What a tool hands back to the model at most; the rest is cut (the model sees that it was). */
const MAX_TOOL_OUTPUT = 16 * 1024;
const SHELL_TIMEOUT_MS = 120_000;
/** Titan restarting: the socket comes back within this. */
const RETRY_FOR_MS = 30_000;

const TOOLS = [
  {
    name: 'shell',
    description: 'Runs a shell command (busybox sh) in /workspace and returns its output and exit code.',
    schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
  {
    name: 'read_file',
    description: 'Reads a text file under /workspace.',
    schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'write_file',
    description: 'Writes a text file under /workspace (folders are created).',
    schema: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } }, required: ['path', 'content'] },
  },
];

class Refused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function once(method: string, route: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: SOCKET,
        method,
        path: route,
        headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const value: unknown = text ? JSON.parse(text) : null;
          if ((res.statusCode ?? 500) >= 400) {
            const error = (value as { error?: { code?: string; message?: string } } | null)?.error;
            reject(new Refused(res.statusCode ?? 500, `${error?.code ?? 'TITAN_E_INTERNAL'}: ${error?.message ?? text}`));
          } else resolve(value);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One call to Titan; a socket not there (Titan restarting) is tried again for a while, a refusal never. */
async function call(method: string, route: string, body?: unknown): Promise<unknown> {
  const until = Date.now() + RETRY_FOR_MS;
  for (let wait = 200; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await once(method, route, body);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // A socket left by a Titan that died (ECONNREFUSED), none yet (ENOENT), or cut mid-answer (ECONNRESET).
      if (error instanceof Refused || !['ECONNREFUSED', 'ENOENT', 'ECONNRESET'].includes(String(code)) || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function cut(text: string): string {
  return text.length <= MAX_TOOL_OUTPUT ? text : `${text.slice(0, MAX_TOOL_OUTPUT)}\n[cut: ${text.length - MAX_TOOL_OUTPUT} more characters]`;
}

/** A path the model gave, kept inside /workspace. */
function inside(given: unknown): string {
  if (typeof given !== 'string' || !given) throw new Error('"path" must be a file path under /workspace');
  const full = path.resolve(WORKSPACE, given);
  if (full !== WORKSPACE && !full.startsWith(`${WORKSPACE}/`)) throw new Error(`${given} is outside /workspace`);
  return full;
}

function shell(command: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { cwd: WORKSPACE, timeout: SHELL_TIMEOUT_MS, maxBuffer: 4 * MAX_TOOL_OUTPUT }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number | string }).code ?? 1) : 0;
      resolve(cut(`${stdout}${stderr}${code === 0 ? '' : `\n[exit code ${code}]`}`));
    });
  });
}

async function runTool(call: ToolCall): Promise<string> {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(call.arguments || '{}') as Record<string, unknown>;
  } catch {
    return `error: the arguments are not JSON: ${call.arguments.slice(0, 200)}`;
  }
  try {
    if (call.name === 'shell') {
      if (typeof args.command !== 'string') return 'error: "command" must be text';
      return await shell(args.command);
    }
    if (call.name === 'read_file') return cut(await readFile(inside(args.path), 'utf8'));
    if (call.name === 'write_file') {
      if (typeof args.content !== 'string') return 'error: "content" must be text';
      const file = inside(args.path);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, args.content);
      return `wrote ${args.content.length} characters to ${path.relative(WORKSPACE, file)}`;
    }
    return `error: there is no tool named "${call.name}" (shell, read_file, write_file)`;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

async function main(): Promise<number> {
  const job = (await call('GET', '/job')) as JobInfo;
  console.log(`titan worker: job ${job.id}, at most ${job.maxSteps} model calls`);
  const messages: Message[] = [
    {
      role: 'system',
      content:
        'You work alone in a sandbox on the files under /workspace, with the tools given. Do the task, then answer with a short report of what you did and found (no tool call): that answer is your result.',
    },
    { role: 'user', content: job.prompt },
  ];
  for (let step = 1; step <= job.maxSteps; step++) {
    const answer = (await call('POST', '/model', { messages, tools: TOOLS })) as Answer;
    messages.push({ role: 'assistant', content: answer.text, ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls } : {}) });
    if (answer.toolCalls.length === 0) {
      await call('POST', '/complete', { answer: answer.text });
      console.log(`titan worker: done after ${step} model calls`);
      return 0;
    }
    for (const toolCall of answer.toolCalls) {
      console.log(`titan worker: step ${step}: ${toolCall.name} ${toolCall.arguments.slice(0, 200)}`);
      const output = await runTool(toolCall);
      await call('POST', '/events', { events: [{ type: 'tool', step, name: toolCall.name, arguments: toolCall.arguments, output: output.slice(0, 2000) }] });
      messages.push({ role: 'tool', tool_call_id: toolCall.id, name: toolCall.name, content: output });
    }
  }
  console.error(`titan worker: no answer within ${job.maxSteps} model calls`);
  return 3;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`titan worker: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof Refused ? 4 : 1);
  },
);
