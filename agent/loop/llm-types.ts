// Titan's own shape of a chat with a model, the same for every provider: the provider components
// translate to and from the OpenAI, Anthropic and Ollama wire formats.

export type ToolCall = { id: string; name: string; arguments: string };

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string; name?: string };

export type ToolSpec = { name: string; description: string; schema: Record<string, unknown> };

export type ChatRequest = { model: string; messages: ChatMessage[]; tools: ToolSpec[]; max_tokens?: number; temperature?: number };

/** What a provider component decodes from a streamed answer, in order. */
export type LlmEvent =
  | { type: 'text'; text: string }
  /** A piece of a tool call: the first piece of an index carries id and name; arguments come in deltas. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments_delta: string }
  | { type: 'usage'; input_tokens: number; output_tokens: number }
  | { type: 'stop'; reason: string }
  | { type: 'error'; code: ProviderErrorCode; message: string };

export type ProviderErrorCode = 'rate_limited' | 'overloaded' | 'context_too_long' | 'auth' | 'bad_request' | 'server';

export type DecodedError = { code: ProviderErrorCode; message: string; retry_after_ms?: number };
