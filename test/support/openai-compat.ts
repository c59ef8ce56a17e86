// The OpenAI-compatible API's test bench: a kernel with the built-ins, the scripted LLM server behind the
// kernel's LLM, and `serve`, which mounts the router at /v1 in a small Koa app with a stub bearer auth
// and gives an official `openai` SDK client for it. Each test file that uses it gets its own.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, type TestContext } from 'node:test';
import { Router } from '@koa/router';
import Koa from 'koa';
import OpenAI from 'openai';
import { Agent, createLlm, type Llm, type TurnEvent } from '../../agent/api.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import { openAiRoutes } from '../../gateway/openai-compat.ts';
import { bootstrapBuiltins, type Kernel } from '../../kernel/api.ts';
import { openTestKernel } from './kernel.ts';
import { scriptedModel, type Step } from './model-double.ts';

export const TOKEN = 'sk-titan-test';
export const weatherArgs = { city: 'Paris', unit: 'celsius', days: [1, 2, 3], note: 'quoted "text" and ünïcode' };
export const weatherTool: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

export const hello: Step = [
  { type: 'text', text: 'Hello ' },
  { type: 'text', text: 'there, ' },
  { type: 'text', text: 'Ada.' },
  { type: 'usage', input_tokens: 12, output_tokens: 4 },
  { type: 'stop', reason: 'end_turn' },
];

export type Served = { client: OpenAI; url: string; agent: Agent; model: ReturnType<typeof scriptedModel>; as(user: string): OpenAI };

export type OpenAiBench = {
  readonly kernel: Kernel;
  readonly server: ScriptedLlm;
  /** Every turn event the kernel's bus carried. */
  readonly events: TurnEvent[];
  /** An agent answering from `steps`, the router mounted at /v1 behind a stub auth, and an SDK client. */
  serve(t: TestContext, steps?: Step[], options?: { withLlm?: boolean; guardedTools?: string[] }): Promise<Served>;
  ofTurn(turnId: string): TurnEvent[];
};

/** Registers the file's before/after hooks and returns the bench they set up. */
export function openAiBench(): OpenAiBench {
  let kernel: Kernel;
  let home: string;
  let cleanupKernel: () => Promise<void>;
  let server: ScriptedLlm;
  let llm: Llm;
  const events: TurnEvent[] = [];

  before(async () => {
    ({ kernel, home, cleanup: cleanupKernel } = await openTestKernel());
    const report = await bootstrapBuiltins(kernel);
    assert.deepEqual(report.failed, []);
    kernel.bus.on('turn.event', (e) => events.push(e));
    server = await startScriptedLlm();
    llm = createLlm(kernel, {
      providers: [{ name: 'scripted', component: 'openai', baseUrl: server.baseUrls.openai, model: 'titan-scripted' }],
      env: {},
      // One try and a breaker that never opens: each test sees exactly the provider's answer.
      retry: { attempts: 1 },
      breaker: { failureThreshold: 1_000 },
    });
  });

  after(async () => {
    await server.close();
    await cleanupKernel();
  });

  beforeEach(() => server.reset());

  async function serve(t: TestContext, steps: Step[] = [], options: { withLlm?: boolean; guardedTools?: string[] } = {}): Promise<Served> {
    const model = scriptedModel(steps);
    const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: model, guardedTools: options.guardedTools });
    await agent.start();
    const app = new Koa();
    app.use(async (ctx, next) => {
      if (ctx.get('authorization') !== `Bearer ${TOKEN}`) {
        ctx.status = 401;
        return;
      }
      ctx.state.userId = ctx.get('x-test-user') || 'ada';
      await next();
    });
    const root = new Router();
    const routes = openAiRoutes({ kernel, agent, userIdOf: (ctx) => ctx.state.userId as string, ...(options.withLlm === false ? {} : { llm }) });
    root.use('/v1', routes.routes());
    app.use(root.routes());
    const http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    t.after(async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await agent.close();
    });
    const as = (user: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: TOKEN, maxRetries: 0, logLevel: 'off', defaultHeaders: { 'x-test-user': user } });
    return { client: as('ada'), url, agent, model, as };
  }

  return {
    get kernel() {
      return kernel;
    },
    get server() {
      return server;
    },
    events,
    serve,
    ofTurn: (turnId) => events.filter((e) => e.turnId === turnId),
  };
}

/** Waits (up to 2 s) until `check` holds. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `${what}: not within 2 s`);
}
