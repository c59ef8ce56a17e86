// Pass-through: the request goes to the kernel's LLM (the configured providers, with their retries,
// circuit breakers and failover) with the client's own messages and tools, and the model's answer
// comes back as it streams - tool calls included, unexecuted: the client runs its tools and sends
// the results in its next request, as the OpenAI contract has it. Titan adds no prompt, runs no
// tool and stores nothing. `x-titan-provider` says which provider/model answered.
import type { Context } from 'koa';
import { TitanError } from '../common/errors.ts';
import type { Llm } from '../agent/api.ts';
import type { ChatRequest, CompletionRequest } from './openai-request.ts';
import type { Answer, Usage } from './openai-wire.ts';

export const PROVIDER_HEADER = 'x-titan-provider';

type StreamOptions = NonNullable<Parameters<Llm['stream']>[1]>;
type LlmStatus = Parameters<NonNullable<StreamOptions['onStatus']>>[0];

/** Which configured model a request goes to: `model` is used by a provider configured without one. */
export type Route = { model: string; purpose: 'chat' | 'background' };

/**
 * Streams the provider's answer into `answer`. Nothing is sent before the first event arrives, so a
 * provider that refuses the request (429, a bad request, none configured) is an HTTP error with
 * its status; a failure after that is an in-band error frame. `signal` aborts the provider's stream.
 */
export async function answerWithProvider(
  llm: Llm | undefined,
  ctx: Context,
  request: CompletionRequest,
  route: Route,
  answer: Answer,
  signal: AbortSignal,
): Promise<void> {
  if (!llm) {
    throw new TitanError(
      'TITAN_E_PROVIDER_NOT_CONFIGURED',
      'this gateway serves the OpenAI API without a model provider, so only agent turns (model "titan" without tools) are answered',
      {
        fix: 'start Titan with a provider configured (TITAN_PROVIDER); the gateway passes the kernel LLM to openAiRoutes',
      },
    );
  }
  const chat: ChatRequest = {
    model: route.model,
    messages: request.messages,
    tools: request.tools,
    ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
  let provider: string | undefined;
  const onStatus = (status: LlmStatus) => {
    if (status.type === 'attempt') provider = status.model ? `${status.provider}/${status.model}` : status.provider;
  };
  let usage: Usage | undefined;
  let stop = 'end_turn';
  for await (const event of llm.stream(chat, { signal, purpose: route.purpose, onStatus })) {
    // Koa ignores this once the stream's headers are out: it names the provider of the first event.
    if (provider && !ctx.headerSent) ctx.set(PROVIDER_HEADER, provider);
    switch (event.type) {
      case 'text':
        await answer.text(event.text);
        break;
      case 'tool_call':
        await answer.toolCall(event.index, event.id, event.name, event.arguments_delta);
        break;
      case 'usage':
        usage = { input_tokens: event.input_tokens, output_tokens: event.output_tokens };
        break;
      case 'stop':
        stop = event.reason;
        break;
      case 'error':
        throw new TitanError('TITAN_E_PROVIDER_STREAM', `${event.code}: ${event.message}`);
    }
  }
  if (signal.aborted) return;
  await answer.finish(stop, usage);
}
