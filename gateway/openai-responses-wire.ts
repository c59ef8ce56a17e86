// What Titan sends back in the Responses API's format: one `response` object (whole), or its
// semantic SSE events as the answer streams - response.created and .in_progress, then per output
// item (a message with one output_text part, or a function_call) output_item.added, the deltas
// (output_text.delta, function_call_arguments.delta), the .done events, and response.completed
// with the whole response. An error before anything was sent is an OpenAI-shaped HTTP error; after,
// an `error` event, which the openai SDK throws.
import type { Context } from 'koa';
import { Answer, drained, finishReason, openAiError, openEventStream, respondError, type OpenAiError, type Usage } from './openai-wire.ts';

type MessageItem = { type: 'message'; id: string; status: string; role: 'assistant'; content: Array<{ type: 'output_text'; text: string; annotations: [] }> };
type CallItem = { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: string };
type Item = MessageItem | CallItem;

function shortId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}

export class ResponsesAnswer extends Answer {
  readonly #stream: boolean;
  readonly #output: Item[] = [];
  /** The item deltas go to: the open message, or the function call of a provider index. */
  #message: MessageItem | undefined;
  readonly #callItems = new Map<number, CallItem>();
  #opened = false;
  #ended = false;
  #sequence = 0;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(ctx: Context, meta: ConstructorParameters<typeof Answer>[1], stream: boolean) {
    super(ctx, meta);
    this.#stream = stream;
  }

  /** resp_ plus the turn's id for the agent (which names the answer chatcmpl-<turn>), else a fresh one. */
  get #id(): string {
    return this.meta.id.startsWith('chatcmpl-') ? `resp_${this.meta.id.slice('chatcmpl-'.length)}` : this.meta.id;
  }

  #response(status: string, usage?: Usage) {
    const input = usage?.input_tokens ?? 0;
    const output = usage?.output_tokens ?? 0;
    return {
      id: this.#id,
      object: 'response',
      created_at: this.meta.created,
      status,
      model: this.meta.model,
      output: this.#output,
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      error: null,
      incomplete_details: null,
      usage: usage
        ? {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input + output,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          }
        : null,
      ...(this.meta.answeredBy ? { titan_answered_by: this.meta.answeredBy } : {}),
    };
  }

  open(): void {
    if (!this.#stream || this.#opened) return;
    this.#opened = true;
    this.#keepAlive = openEventStream(this.ctx, (text) => this.#write(text));
    this.#event('response.created', { response: this.#response('in_progress') });
    this.#event('response.in_progress', { response: this.#response('in_progress') });
  }

  async text(delta: string): Promise<void> {
    this.open();
    if (delta === '') return;
    this.content += delta;
    if (!this.#message) {
      this.#message = { type: 'message', id: shortId('msg'), status: 'in_progress', role: 'assistant', content: [] };
      this.#added(this.#message);
      this.#message.content.push({ type: 'output_text', text: '', annotations: [] });
      this.#event('response.content_part.added', {
        item_id: this.#message.id,
        output_index: this.#indexOf(this.#message),
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      });
    }
    this.#message.content[0].text += delta;
    await this.#flushing(
      this.#event('response.output_text.delta', {
        item_id: this.#message.id,
        output_index: this.#indexOf(this.#message),
        content_index: 0,
        delta,
        logprobs: [],
      }),
    );
  }

  async toolCall(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): Promise<void> {
    this.open();
    const { call, first } = this.call(index, id, name, argumentsDelta);
    let item = this.#callItems.get(index);
    if (first || !item) {
      this.#closeMessage();
      item = { type: 'function_call', id: shortId('fc'), call_id: call.id, name: call.name, arguments: '', status: 'in_progress' };
      this.#callItems.set(index, item);
      this.#added(item);
    }
    if (!item.name && call.name) item.name = call.name;
    if (argumentsDelta === '') return;
    item.arguments += argumentsDelta;
    await this.#flushing(this.#event('response.function_call_arguments.delta', { item_id: item.id, output_index: this.#indexOf(item), delta: argumentsDelta }));
  }

  async finish(stopReason: string, usage: Usage | undefined): Promise<void> {
    this.open();
    this.#closeMessage();
    for (const item of this.#callItems.values()) {
      if (item.status === 'completed') continue;
      this.#event('response.function_call_arguments.done', { item_id: item.id, output_index: this.#indexOf(item), arguments: item.arguments });
      item.status = 'completed';
      this.#event('response.output_item.done', { output_index: this.#indexOf(item), item });
    }
    // A cut answer (the token limit) is "incomplete", as OpenAI says it.
    const incomplete = finishReason(stopReason, false) === 'length';
    const response = {
      ...this.#response(incomplete ? 'incomplete' : 'completed', usage),
      ...(incomplete ? { incomplete_details: { reason: 'max_output_tokens' } } : {}),
    };
    if (!this.#stream) {
      this.ctx.status = 200;
      this.ctx.body = response;
      return;
    }
    this.#event(incomplete ? 'response.incomplete' : 'response.completed', { response });
    this.#end();
  }

  fail(error: unknown): OpenAiError {
    if (!this.#opened) return respondError(this.ctx, error);
    const mapped = openAiError(error);
    const { message, code, param } = mapped.body.error;
    this.#event('error', { code, message, param });
    this.#end();
    return mapped;
  }

  override close(): void {
    if (this.#opened) this.#end();
  }

  #indexOf(item: Item): number {
    return this.#output.indexOf(item);
  }

  #added(item: Item): void {
    this.#output.push(item);
    this.#event('response.output_item.added', { output_index: this.#indexOf(item), item });
  }

  #closeMessage(): void {
    const message = this.#message;
    if (!message) return;
    this.#message = undefined;
    const at = { item_id: message.id, output_index: this.#indexOf(message), content_index: 0 };
    this.#event('response.output_text.done', { ...at, text: message.content[0].text, logprobs: [] });
    this.#event('response.content_part.done', { ...at, part: message.content[0] });
    message.status = 'completed';
    this.#event('response.output_item.done', { output_index: this.#indexOf(message), item: message });
  }

  /** Writes one SSE event (nothing when not streaming); false when the socket wants a pause. */
  #event(type: string, body: Record<string, unknown>): boolean {
    if (!this.#stream) return true;
    return this.#write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#sequence++, ...body })}\n\n`);
  }

  #write(data: string): boolean {
    const res = this.ctx.res;
    if (this.#ended || res.destroyed || res.writableEnded) return true;
    return res.write(data);
  }

  /** Waits for the socket to drain after a write it could not take at once (backpressure). */
  async #flushing(written: boolean): Promise<void> {
    if (written) return;
    await drained(this.ctx.res);
  }

  #end(): void {
    clearInterval(this.#keepAlive);
    if (this.#ended) return;
    this.#ended = true;
    const res = this.ctx.res;
    if (!res.destroyed && !res.writableEnded) res.end();
  }
}
