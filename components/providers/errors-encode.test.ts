// What each provider component makes of an HTTP error (status, headers and body as each API sends
// them) and of Titan's chat request (the wire request each API expects).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChatRequest, DecodedError } from '../../agent/loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { collect, configFor, HELLO, playingFetch, providerKernel, type ProviderComponent } from '../../test/providers/support.ts';
import { streamProvider } from '../../agent/llm/provider-client.ts';

type Case = { status: number; headers?: Array<[string, string]>; body: unknown; expect: DecodedError };

const openaiBody = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });
const anthropicBody = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_011' });

const CASES: Record<ProviderComponent, Case[]> = {
  openai: [
    {
      status: 429,
      headers: [
        ['retry-after', '2'],
        ['x-ratelimit-remaining-requests', '0'],
      ],
      body: openaiBody(
        'Rate limit reached for gpt-4.1-mini in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 512. Please try again in 1.2s.',
        'tokens',
        'rate_limit_exceeded',
      ),
      expect: { code: 'rate_limited', message: '', retry_after_ms: 2000 },
    },
    {
      status: 429,
      body: openaiBody('Rate limit reached ... Please try again in 750ms.', 'requests', 'rate_limit_exceeded'),
      expect: { code: 'rate_limited', message: '', retry_after_ms: 750 },
    },
    {
      status: 429,
      body: openaiBody('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
      expect: { code: 'bad_request', message: '' },
    },
    {
      status: 503,
      body: openaiBody('The engine is currently overloaded, please try again later.', 'server_error'),
      expect: { code: 'overloaded', message: '' },
    },
    {
      status: 400,
      body: openaiBody(
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
        'invalid_request_error',
        'context_length_exceeded',
      ),
      expect: { code: 'context_too_long', message: '' },
    },
    {
      status: 401,
      body: openaiBody('Incorrect API key provided: sk-xx***.', 'invalid_request_error', 'invalid_api_key'),
      expect: { code: 'auth', message: '' },
    },
    { status: 403, body: openaiBody('You are not allowed to sample from this model', 'invalid_request_error'), expect: { code: 'auth', message: '' } },
    {
      status: 404,
      body: openaiBody('The model `gpt-9` does not exist', 'invalid_request_error', 'model_not_found'),
      expect: { code: 'bad_request', message: '' },
    },
    { status: 500, body: openaiBody('The server had an error while processing your request.', 'server_error'), expect: { code: 'server', message: '' } },
    { status: 502, body: '<html>Bad gateway</html>', expect: { code: 'server', message: '<html>Bad gateway</html>' } },
  ],
  anthropic: [
    {
      status: 429,
      headers: [
        ['retry-after', '7'],
        ['anthropic-ratelimit-requests-remaining', '0'],
      ],
      body: anthropicBody('rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.'),
      expect: { code: 'rate_limited', message: '', retry_after_ms: 7000 },
    },
    { status: 529, body: anthropicBody('overloaded_error', 'Overloaded'), expect: { code: 'overloaded', message: 'Overloaded' } },
    { status: 500, body: anthropicBody('overloaded_error', 'Overloaded'), expect: { code: 'overloaded', message: 'Overloaded' } },
    {
      status: 400,
      body: anthropicBody('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'),
      expect: { code: 'context_too_long', message: '' },
    },
    {
      status: 413,
      body: anthropicBody('request_too_large', 'Request exceeds the maximum allowed number of bytes.'),
      expect: { code: 'context_too_long', message: '' },
    },
    { status: 401, body: anthropicBody('authentication_error', 'invalid x-api-key'), expect: { code: 'auth', message: 'invalid x-api-key' } },
    {
      status: 403,
      body: anthropicBody('permission_error', 'Your API key does not have permission to use the specified resource.'),
      expect: { code: 'auth', message: '' },
    },
    {
      status: 400,
      body: anthropicBody('invalid_request_error', 'max_tokens: Field required'),
      expect: { code: 'bad_request', message: 'max_tokens: Field required' },
    },
    { status: 500, body: anthropicBody('api_error', 'Internal server error'), expect: { code: 'server', message: 'Internal server error' } },
  ],
  ollama: [
    {
      status: 429,
      headers: [['retry-after', '1']],
      body: { error: 'too many requests, please try again later' },
      expect: { code: 'rate_limited', message: '', retry_after_ms: 1000 },
    },
    { status: 503, body: { error: 'server busy, please try again.  maximum pending requests exceeded' }, expect: { code: 'overloaded', message: '' } },
    { status: 400, body: { error: 'the input length exceeds the context length' }, expect: { code: 'context_too_long', message: '' } },
    { status: 401, body: { error: 'unauthorized' }, expect: { code: 'auth', message: 'unauthorized' } },
    {
      status: 404,
      body: { error: 'model "llama9" not found, try pulling it first' },
      expect: { code: 'bad_request', message: 'model "llama9" not found, try pulling it first' },
    },
    { status: 500, body: { error: 'llama runner process has terminated: exit status 2' }, expect: { code: 'server', message: '' } },
  ],
};

describe('provider components', () => {
  let kernel: Kernel;
  let cleanup: () => Promise<void>;
  before(async () => ({ kernel, cleanup } = await providerKernel()));
  after(() => cleanup());

  const encode = async (component: ProviderComponent, request: ChatRequest) => {
    const encoded = (await kernel.call('provider', component, 'encode-request', [JSON.stringify(request)])) as {
      method: string;
      path: string;
      headers: Array<[string, string]>;
      body: string;
    };
    return { ...encoded, headers: Object.fromEntries(encoded.headers), json: JSON.parse(encoded.body) as Record<string, unknown> };
  };

  for (const [component, cases] of Object.entries(CASES) as Array<[ProviderComponent, Case[]]>) {
    test(`${component}: HTTP errors map to Titan's codes, with the wait the provider asked for`, async () => {
      for (const c of cases) {
        const body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
        const decoded = JSON.parse((await kernel.call('provider', component, 'decode-error', [c.status, c.headers ?? [], body])) as string) as DecodedError;
        const where = `${c.status} ${body.slice(0, 80)}`;
        assert.equal(decoded.code, c.expect.code, where);
        assert.equal(decoded.retry_after_ms, c.expect.retry_after_ms, where);
        if (c.expect.message) assert.equal(decoded.message, c.expect.message, where);
        else assert.ok(decoded.message.length > 5, where);
      }
    });
  }

  test('the host turns each decoded HTTP error into its coded TitanError, with the status and the wait', async () => {
    const expected = {
      rate_limited: 'TITAN_E_PROVIDER_RATE_LIMITED',
      overloaded: 'TITAN_E_PROVIDER_OVERLOADED',
      context_too_long: 'TITAN_E_PROVIDER_CONTEXT_TOO_LONG',
      auth: 'TITAN_E_PROVIDER_AUTH',
      bad_request: 'TITAN_E_PROVIDER_BAD_REQUEST',
      server: 'TITAN_E_PROVIDER_UNAVAILABLE',
    };
    for (const [component, cases] of Object.entries(CASES) as Array<[ProviderComponent, Case[]]>) {
      for (const c of cases) {
        const body = new TextEncoder().encode(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
        const fetch = playingFetch([body], c.status, Object.fromEntries(c.headers ?? []));
        const { events, error } = await collect(streamProvider(kernel, configFor(component), HELLO, { fetch }));
        assert.deepEqual(events, []);
        assert.equal(error?.code, expected[c.expect.code], `${component} ${c.status}`);
        assert.equal(error?.details?.status, c.status);
        assert.equal(error?.details?.retryAfterMs, c.expect.retry_after_ms);
        assert.match(error?.message ?? '', new RegExp(`^${component} answered ${c.status}: `));
      }
    }
  });

  const conversation: ChatRequest = {
    model: 'm-1',
    messages: [
      { role: 'system', content: 'You are Titan.' },
      { role: 'user', content: 'Weather in Zürich and the time?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'c1', name: 'get_weather', arguments: '{"city":"Zürich"}' },
          { id: 'c2', name: 'get_time', arguments: '{}' },
        ],
      },
      { role: 'tool', content: '{"temp":21}', tool_call_id: 'c1' },
      { role: 'tool', content: '{"time":"10:00"}', tool_call_id: 'c2', name: 'get_time' },
      { role: 'user', content: 'Thanks!' },
    ],
    tools: [
      { name: 'get_weather', description: 'Weather of a city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    ],
    max_tokens: 256,
    temperature: 0.2,
  };

  test('openai: Chat Completions, streamed with usage, tools as functions, tool results by id', async () => {
    const r = await encode('openai', conversation);
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/chat/completions');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.json, {
      model: 'm-1',
      messages: [
        { role: 'system', content: 'You are Titan.' },
        { role: 'user', content: 'Weather in Zürich and the time?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } },
            { id: 'c2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'c2', content: '{"time":"10:00"}' },
        { role: 'user', content: 'Thanks!' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: conversation.tools[0].schema } }],
      max_tokens: 256,
      temperature: 0.2,
    });
    // Reasoning models take max_completion_tokens and no temperature.
    const o = await encode('openai', { ...conversation, model: 'o4-mini' });
    assert.equal(o.json.max_completion_tokens, 256);
    assert.equal(o.json.max_tokens, undefined);
    assert.equal(o.json.temperature, undefined);
  });

  for (const component of ['openai', 'anthropic', 'ollama'] as const) {
    test(`${component}: the same body whether its tools were kept from the last request or read again, and a changed tool set is sent changed`, async () => {
      const body = async (request: ChatRequest, toolsFirst: boolean) => {
        const { tools, ...rest } = request;
        const text = JSON.stringify(toolsFirst ? { tools, ...rest } : { ...rest, tools });
        return ((await kernel.call('provider', component, 'encode-request', [text])) as { body: string }).body;
      };
      const reference = await body(conversation, false);
      // Sent as the host sends it, several times over the instances: each keeps the tools once it has read them.
      for (let i = 0; i < 4; i++) assert.equal(await body(conversation, true), reference);
      const next = { ...conversation, messages: [...conversation.messages, { role: 'user' as const, content: 'And tomorrow?' }] };
      assert.equal(await body(next, true), await body(next, false));
      const changed = { ...conversation, tools: [...conversation.tools, { name: 'get_time', description: 'The time', schema: { type: 'object' } }] };
      const sent = JSON.parse(await body(changed, true)) as { tools: Array<{ name?: string; function?: { name: string } }> };
      assert.deepEqual(
        sent.tools.map((t) => t.name ?? t.function?.name),
        ['get_weather', 'get_time'],
      );
      const none = JSON.parse(await body({ ...conversation, tools: [] }, true)) as { tools?: unknown };
      assert.equal(none.tools, undefined);
    });
  }

  test('anthropic: Messages with the version header, top-level system, tool_use and merged tool_result blocks', async () => {
    const r = await encode('anthropic', conversation);
    assert.equal(r.path, '/v1/messages');
    assert.equal(r.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(r.json, {
      model: 'm-1',
      max_tokens: 256,
      system: 'You are Titan.',
      messages: [
        { role: 'user', content: 'Weather in Zürich and the time?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Zürich' } },
            { type: 'tool_use', id: 'c2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'c1', content: '{"temp":21}' },
            { type: 'tool_result', tool_use_id: 'c2', content: '{"time":"10:00"}' },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ],
      stream: true,
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: conversation.tools[0].schema }],
      temperature: 0.2,
    });
    const noMax = await encode('anthropic', { ...conversation, max_tokens: undefined });
    assert.equal(noMax.json.max_tokens, 8192, 'max_tokens is required by the API: a default is sent');
  });

  test('ollama: /api/chat streamed, arguments as objects, tool results by tool name, options', async () => {
    const r = await encode('ollama', conversation);
    assert.equal(r.path, '/api/chat');
    assert.deepEqual(r.json, {
      model: 'm-1',
      messages: [
        { role: 'system', content: 'You are Titan.' },
        { role: 'user', content: 'Weather in Zürich and the time?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Zürich' } } }, { function: { name: 'get_time', arguments: {} } }],
        },
        { role: 'tool', content: '{"temp":21}', tool_name: 'get_weather' },
        { role: 'tool', content: '{"time":"10:00"}', tool_name: 'get_time' },
        { role: 'user', content: 'Thanks!' },
      ],
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: conversation.tools[0].schema } }],
      options: { num_predict: 256, temperature: 0.2 },
    });
  });

  test('a request a provider cannot take is TITAN_E_PROVIDER_BAD_REQUEST naming the field, before anything is sent', async () => {
    let sent = 0;
    const fetch: typeof globalThis.fetch = async () => {
      sent++;
      return new Response('');
    };
    const bad = [
      [{ ...HELLO, messages: [] }, /messages must be a non-empty list/],
      [{ ...HELLO, messages: [{ role: 'robot', content: 'x' }] }, /messages\[0\]\.role/],
      [{ ...HELLO, messages: [{ role: 'tool', content: 'x' }] }, /tool_call_id/],
      [{ ...HELLO, tools: [{ name: 'x', description: 'y', schema: 'nope' }] }, /tools\[0\]\.schema/],
    ] as const;
    for (const component of ['openai', 'anthropic', 'ollama'] as const) {
      for (const [request, pattern] of bad) {
        const { error } = await collect(streamProvider(kernel, configFor(component), request as unknown as ChatRequest, { fetch }));
        assert.equal(error?.code, 'TITAN_E_PROVIDER_BAD_REQUEST', component);
        assert.match(error?.message ?? '', pattern);
      }
    }
    assert.equal(sent, 0);
  });
});
