// The OpenAI-compatible API: any OpenAI client (the official SDKs, LangChain, Open WebUI, curl)
// can use Titan as a model. The gateway mounts this router at /v1 behind its bearer auth and says
// who the user is (userIdOf); the routes here are relative: POST /chat/completions, POST /responses
// (the same answers in the Responses API's items and events: openai-responses-*.ts), POST /embeddings
// (openai-embeddings.ts), GET /models, GET /models/{id}, and an OpenAI-shaped 404 for any other path.
//
// Models (GET /models lists them, `owned_by: "titan"`):
// - `titan` is Titan's agent. Without `tools` in the request, the last message (it must be the
//   user's) is sent to the agent as a turn: Titan's own tools, approvals and memory work as in any
//   other channel, the reply is the model's text across the turn's steps, and Titan's tool calls
//   are never shown as tool_calls. The earlier messages seed a new thread as its history, unless
//   the `x-titan-thread` header names one of the user's threads to continue (its stored history is
//   then the context and the request's earlier messages are not read). Every answer carries
//   `x-titan-thread` and `x-titan-turn`, so a client can continue the thread it started. A turn
//   waiting for an approval waits (approve it in the web UI or CLI); a stream sends SSE comments
//   meanwhile. The agent's own model settings apply: temperature and max_tokens are not read.
// - With `tools` in the request (model `titan` or a provider model), Titan is a pass-through: the
//   client's messages and tools go to the kernel's LLM (configured providers, retries, failover)
//   and the model's tool calls come back to the client unexecuted - the OpenAI contract: the client
//   runs its tools and sends the results next time. Titan adds no prompt and stores nothing. A
//   tool-calling conversation sent to `titan` without tools is refused (400), not silently
//   answered by the agent in a new thread.
// - `<provider>/<model>` (e.g. `openai/gpt-4.1-mini`), one per configured provider: pass-through,
//   tools or not - the raw model. The kernel's LLM answers through its chain, so when that provider
//   fails a configured fallback may answer; `x-titan-provider` names the provider/model that did.
//   The background provider's id prefers the background provider, like background work does.
// - Any other model: 404, code `model_not_found`.
//
// Streaming: `chat.completion.chunk` frames - the role first, then content deltas and tool_calls
// deltas (index, id, type and function.name on a call's first delta, function.arguments pieces
// after), a chunk with finish_reason (stop | tool_calls | length), a usage chunk with empty
// choices when stream_options.include_usage, then `data: [DONE]`. Not streaming: one
// `chat.completion`. A pass-through sends nothing until the provider's first event, so a provider
// refusal is a real HTTP status; an agent stream starts once the message is stored.
//
// Errors: `{error: {message, type, param, code, titan_code, fix}}`. `code` is OpenAI's own where
// OpenAI has one for the case (model_not_found, context_length_exceeded, rate_limit_exceeded),
// else Titan's TITAN_E_ code; `titan_code` is always Titan's. Status from errors.ts (400
// invalid_request_error, 404, 429 rate_limit_error, 5xx server_error), except a provider refusing
// Titan's own key: 502, not 401 (the client's token is fine). `x-should-retry: false` on every
// error: Titan has already retried the provider, and an agent turn has side effects. After a
// stream has started, an error is an in-band `data: {"error": ...}` frame (the SDK throws it).
//
// A client that goes away (the socket closes before the answer is complete) interrupts the agent
// turn, or aborts the provider's stream.
import { randomUUID } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import { bodyFailure } from './limits.ts';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { describeError, TitanError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import type { Agent, Llm } from '../agent/api.ts';
import { answerWithAgent } from './openai-agent.ts';
import { answerWithProvider, type Route } from './openai-passthrough.ts';
import { type CompletionRequest, readCompletionRequest } from './openai-request.ts';
import { readResponsesRequest } from './openai-responses-request.ts';
import { ResponsesAnswer } from './openai-responses-wire.ts';
import { embeddings } from './openai-embeddings.ts';
import { respondError, StreamAnswer, WholeAnswer } from './openai-wire.ts';

export type OpenAiDeps = {
  kernel: Kernel;
  agent: Agent;
  /** The authenticated user (the gateway's bearer auth has run). */
  userIdOf(ctx: Context): string;
  /** The kernel's LLM, for pass-through and the provider models; without it only agent turns are served. */
  llm?: Llm;
};

export const AGENT_MODEL = 'titan';
/** Bodies above this are refused (413) unless the gateway parsed the body already. */
const BODY_LIMIT = '8mb';

/** `titan` first, then one id per configured provider. */
function modelTable(llm: Llm | undefined): Map<string, Route | typeof AGENT_MODEL> {
  const models = new Map<string, Route | typeof AGENT_MODEL>([[AGENT_MODEL, AGENT_MODEL]]);
  const add = (provider: { name: string; model: string }, purpose: Route['purpose']) => {
    const id = provider.model ? `${provider.name}/${provider.model}` : provider.name;
    if (!models.has(id)) models.set(id, { model: provider.model, purpose });
  };
  for (const provider of llm?.providers ?? []) add(provider, 'chat');
  if (llm?.background) add(llm.background, 'background');
  return models;
}

function modelNotFound(id: string, known: string[]): TitanError {
  return new TitanError('TITAN_E_NOT_FOUND', `The model \`${id}\` does not exist on this Titan`, {
    fix: `use one of: ${known.join(', ')} (GET /v1/models)`,
    details: { param: 'model', openaiCode: 'model_not_found' },
  });
}

export function openAiRoutes(deps: OpenAiDeps): Router {
  const router = new Router();
  const created = Math.floor(Date.now() / 1000);
  const models = modelTable(deps.llm);
  const model = (id: string) => ({ id, object: 'model', created, owned_by: 'titan' });

  // Errors before an answer exists (bad body, unknown model) in OpenAI's shape.
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const mapped = respondError(ctx, error);
      if (mapped.status >= 500) deps.kernel.logger.error({ error: describeError(error) }, 'OpenAI API request failed');
    }
  });

  router.get('/models', (ctx) => {
    ctx.body = { object: 'list', data: [...models.keys()].map(model) };
  });

  router.get('/models/{*id}', (ctx) => {
    const id = String(ctx.params.id);
    if (!models.has(id)) throw modelNotFound(id, [...models.keys()]);
    ctx.body = model(id);
  });

  // The parser's own 4xx (bad JSON) keeps its OpenAI shape (openai-wire.ts); a body too large, an
  // encoding it cannot read, or broken compressed data (zlib's errors carry no status) get a code.
  const parseBody = bodyParser({
    jsonLimit: BODY_LIMIT,
    detectJSON: () => true,
    onError: (error) => {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 413 && status !== 415) throw error;
      throw bodyFailure(error, BODY_LIMIT);
    },
  });
  router.post('/chat/completions', parseBody, (ctx) => respond(ctx, readCompletionRequest(ctx.request.body), 'chat'));
  router.post('/responses', parseBody, (ctx) => respond(ctx, readResponsesRequest(ctx.request.body), 'responses'));
  router.post('/embeddings', parseBody, async (ctx) => {
    ctx.body = await embeddings(ctx.request.body, deps.llm);
  });

  /** One request answered by the agent or a provider, in the wire format of the API it came in by. */
  async function respond(ctx: Context, request: CompletionRequest, api: 'chat' | 'responses'): Promise<void> {
    const target = models.get(request.model);
    if (!target) throw modelNotFound(request.model, [...models.keys()]);
    const userId = deps.userIdOf(ctx);
    const meta = {
      id: `chatcmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      includeUsage: request.stream && request.includeUsage,
    };
    if (api === 'responses') meta.id = `resp_${randomUUID().replaceAll('-', '')}`;
    const answer =
      api === 'responses' ? new ResponsesAnswer(ctx, meta, request.stream) : request.stream ? new StreamAnswer(ctx, meta) : new WholeAnswer(ctx, meta);
    const gone = new AbortController();
    const onClose = () => {
      if (!ctx.res.writableFinished) gone.abort(new TitanError('TITAN_E_INTERRUPTED', 'the client closed the connection'));
    };
    ctx.res.once('close', onClose);
    try {
      if (target === AGENT_MODEL && !request.clientTools) await answerWithAgent(deps, ctx, userId, request, answer, gone.signal);
      else await answerWithProvider(deps.llm, ctx, request, target === AGENT_MODEL ? { model: '', purpose: 'chat' } : target, answer, gone.signal);
    } catch (error) {
      // Nobody is left to tell.
      if (gone.signal.aborted) return;
      const mapped = answer.fail(error);
      if (mapped.status >= 500) deps.kernel.logger.warn({ error: describeError(error), model: request.model }, 'OpenAI API answer failed');
    } finally {
      ctx.res.off('close', onClose);
      answer.close();
    }
  }

  router.all('{/*rest}', (ctx) => {
    throw new TitanError('TITAN_E_NOT_FOUND', `${ctx.method} ${ctx.path} is not a route of Titan's OpenAI-compatible API`, {
      fix: 'Titan serves POST /v1/chat/completions, POST /v1/responses, POST /v1/embeddings, GET /v1/models and GET /v1/models/{id}',
      details: { openaiCode: 'unknown_url' },
    });
  });

  return router;
}
