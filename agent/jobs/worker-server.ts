// Titan's side of an agent job's worker protocol: an HTTP server on a unix socket of the job's own
// (its folder is mounted read-only into that container only), answering the worker's bearer token
// and nothing else. The worker fetches its job (GET /job), gets model answers through Titan
// (POST /model: Titan calls the provider with its own key, counts the steps and watches for loops),
// reports steps (POST /events) and completes (POST /complete); from then on the token is refused.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TitanError, describeError, isTitanError } from '../../common/errors.ts';
import type { ChatMessage, ChatRequest, LlmEvent, ToolCall, ToolSpec } from '../loop/llm-types.ts';
import { LoopGuard, type ModelAnswer } from './loop-guard.ts';

/** How agent jobs reach the model: Titan's LLM (its providers, its keys), never the container. */
export type AgentModel = (request: ChatRequest, options: { signal?: AbortSignal }) => AsyncIterable<LlmEvent>;

export type WorkerSetup = {
  jobId: string;
  prompt: string;
  maxSteps: number;
  loopRepeats: number;
  /** The model name for a provider configured without one. */
  modelName: string;
  /** The job's token key (per Titan home): a token is HMAC(key, job id), so only this job's opens it. */
  key: Buffer;
  model: AgentModel;
  /** Already completed (found again after a restart): every request is refused. */
  completed: boolean;
  onEvent(event: Record<string, unknown>): void;
  /** The job must end now, failed with this reason ("CODE: cause"). */
  onFail(reason: string): void;
  onAnswer(answer: string): Promise<void>;
};

const MAX_BODY = 8 * 1024 * 1024;
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The token of job `jobId` under `key`. */
export function jobToken(key: Buffer, jobId: string): string {
  return createHmac('sha256', key).update(`titan-job:${jobId}`).digest('base64url');
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new TitanError('TITAN_E_JOB_INVALID', `a worker request is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    throw new TitanError('TITAN_E_JOB_INVALID', 'a worker request body is not JSON');
  }
}

function checkMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new TitanError('TITAN_E_JOB_INVALID', '"messages" must be a non-empty list');
  for (const m of value as Array<{ role?: unknown; content?: unknown }>) {
    if (!m || !ROLES.has(String(m.role)) || typeof m.content !== 'string')
      throw new TitanError('TITAN_E_JOB_INVALID', 'each message needs a role (system, user, assistant, tool) and text content');
  }
  return value as ChatMessage[];
}

function checkTools(value: unknown): ToolSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((t: Partial<ToolSpec>) => typeof t?.name !== 'string' || typeof t.schema !== 'object'))
    throw new TitanError('TITAN_E_JOB_INVALID', '"tools" must be a list of {name, description, schema}');
  return (value as ToolSpec[]).map((t) => ({ name: t.name, description: String(t.description ?? ''), schema: t.schema }));
}

/** The model's streamed answer gathered into its text and whole tool calls. */
async function gather(events: AsyncIterable<LlmEvent>): Promise<ModelAnswer> {
  let text = '';
  const calls: ToolCall[] = [];
  for await (const event of events) {
    if (event.type === 'text') text += event.text;
    else if (event.type === 'tool_call') {
      const call = (calls[event.index] ??= { id: event.id ?? `call_${event.index}`, name: '', arguments: '' });
      if (event.id) call.id = event.id;
      if (event.name) call.name = event.name;
      call.arguments += event.arguments_delta;
    } else if (event.type === 'error') throw new TitanError('TITAN_E_PROVIDER_STREAM', `${event.code}: ${event.message}`);
  }
  return { text, toolCalls: calls.filter(Boolean) };
}

export class WorkerServer {
  readonly socket: string;
  readonly #setup: WorkerSetup;
  readonly #server: Server;
  readonly #token: string;
  readonly #guard: LoopGuard;
  readonly #abort = new AbortController();
  #steps = 0;
  #ended: string | undefined;

  private constructor(socket: string, setup: WorkerSetup) {
    this.socket = socket;
    this.#setup = setup;
    this.#token = jobToken(setup.key, setup.jobId);
    this.#guard = new LoopGuard(setup.loopRepeats);
    if (setup.completed) this.#ended = 'completed';
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Listens on `folder`/worker.sock (the folder made private to this user). */
  static async open(folder: string, setup: WorkerSetup): Promise<WorkerServer> {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const socket = `${folder}/worker.sock`;
    await rm(socket, { force: true }); // a previous process's socket file
    const server = new WorkerServer(socket, setup);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(socket, () => resolve());
    });
    await chmod(socket, 0o600);
    return server;
  }

  /** Whether the worker completed with an answer. */
  get completed(): boolean {
    return this.#ended === 'completed';
  }

  /** Refuses the token from now on, stops a model call in flight and closes the socket. */
  async close(): Promise<void> {
    this.#ended ??= 'ended';
    this.#abort.abort();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.socket, { force: true });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!tokenMatches(given, this.#token)) throw new TitanError('TITAN_E_JOB_TOKEN', `the token does not open job ${this.#setup.jobId}`);
      if (this.#ended) throw new TitanError('TITAN_E_JOB_TOKEN', `job ${this.#setup.jobId} has ${this.#ended}: its token is refused`);
      const route = `${req.method} ${req.url}`;
      if (route === 'GET /job') return send(res, 200, { id: this.#setup.jobId, prompt: this.#setup.prompt, maxSteps: this.#setup.maxSteps });
      const body = (await readBody(req)) as Record<string, unknown>;
      if (route === 'POST /model') return send(res, 200, await this.#model(body));
      if (route === 'POST /events') {
        if (!Array.isArray(body.events)) throw new TitanError('TITAN_E_JOB_INVALID', '"events" must be a list of objects');
        for (const event of body.events.slice(0, 100)) if (event && typeof event === 'object' && !Array.isArray(event)) this.#setup.onEvent(event);
        return send(res, 200, { ok: true });
      }
      if (route === 'POST /complete') {
        if (typeof body.answer !== 'string') throw new TitanError('TITAN_E_JOB_INVALID', '"answer" must be text');
        this.#ended = 'completed';
        await this.#setup.onAnswer(body.answer);
        return send(res, 200, { ok: true });
      }
      throw new TitanError('TITAN_E_NOT_FOUND', `the worker protocol has no ${route}`);
    } catch (error) {
      const coded = isTitanError(error) ? error : new TitanError('TITAN_E_INTERNAL', describeError(error));
      send(res, coded.status ?? 500, { error: { code: coded.code, message: coded.message } });
    }
  }

  async #model(body: Record<string, unknown>): Promise<ModelAnswer> {
    const messages = checkMessages(body.messages);
    const tools = checkTools(body.tools);
    const { maxSteps } = this.#setup;
    if (++this.#steps > maxSteps) {
      const reason = `the agent used its ${maxSteps} model calls without finishing with an answer`;
      this.#fail('TITAN_E_JOB_AGENT', reason);
    }
    const answer = await gather(this.#setup.model({ model: this.#setup.modelName, messages, tools }, { signal: this.#abort.signal }));
    this.#setup.onEvent({
      type: 'model',
      step: this.#steps,
      text: answer.text.slice(0, 2000),
      toolCalls: answer.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments.slice(0, 2000) })),
    });
    const loop = this.#guard.see(answer);
    if (loop) this.#fail('TITAN_E_JOB_LOOP', loop);
    return answer;
  }

  #fail(code: 'TITAN_E_JOB_LOOP' | 'TITAN_E_JOB_AGENT', message: string): never {
    this.#ended = 'been stopped';
    this.#setup.onFail(`${code}: ${message}`);
    throw new TitanError(code, message);
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
