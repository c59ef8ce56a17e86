// Test support for the provider suites: a kernel serving the three provider components (built by
// the real toolchain, cached), a fetch that plays given bytes as a streamed body cut into given
// chunks, and a collector that keeps the events before an error as well as the error.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../../common/errors.ts';
import type { ChatRequest, LlmEvent } from '../../agent/loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { streamProvider, type ComponentCaller, type ProviderConfig } from '../../agent/llm/provider-client.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildComponent } from '../../toolchain/build.ts';
import { openTestKernel, TEST_CACHE } from '../support/kernel.ts';

export const PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
export type ProviderComponent = (typeof PROVIDERS)[number];

export const PROVIDERS_ROOT = fileURLToPath(new URL('../../components/providers/', import.meta.url));

/** A kernel serving provider/openai, provider/anthropic and provider/ollama. */
export async function providerKernel(): Promise<{ kernel: Kernel; cleanup(): Promise<void> }> {
  const { kernel, cleanup } = await openTestKernel();
  try {
    for (const name of PROVIDERS) {
      const built = await buildComponent(path.join(PROVIDERS_ROOT, name), { cacheDir: TEST_CACHE });
      await kernel.deployManifest(await publishComponent(kernel, built));
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { kernel, cleanup };
}

export type Collected = { events: LlmEvent[]; error?: TitanError };

/** Every event of a stream, and the error that ended it (a non-Titan error is rethrown). */
export async function collect(stream: AsyncIterable<LlmEvent>, onEvent?: (event: LlmEvent) => void): Promise<Collected> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of stream) {
      events.push(event);
      onEvent?.(event);
    }
  } catch (error) {
    if (!(error instanceof TitanError)) throw error;
    return { events, error };
  }
  return { events };
}

/** A fetch answering every request with `status` and a body streamed as exactly these byte chunks. */
export function playingFetch(chunks: Uint8Array[], status = 200, headers: Record<string, string> = {}): typeof fetch {
  return async () => {
    let next = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next < chunks.length) controller.enqueue(chunks[next++]);
        else controller.close();
      },
    });
    return new Response(body, { status, headers });
  };
}

/** Cuts bytes at the given offsets (ascending). */
export function cutAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(bytes.subarray(start, offset));
    start = offset;
  }
  pieces.push(bytes.subarray(start));
  return pieces.filter((p) => p.length > 0);
}

export function configFor(component: ProviderComponent, baseUrl = 'http://provider.test'): ProviderConfig {
  return { name: component, component, baseUrl, model: 'test-model' };
}

export const HELLO: ChatRequest = { model: 'test-model', messages: [{ role: 'user', content: 'hello' }], tools: [] };

/** The events the full client yields for this wire text delivered in these pieces. */
export function decodeThroughClient(kernel: ComponentCaller, component: ProviderComponent, pieces: Uint8Array[]): Promise<Collected> {
  return collect(streamProvider(kernel, configFor(component), HELLO, { fetch: playingFetch(pieces) }));
}

/** Whole tool calls from tool_call events: index -> {id, name, arguments}. */
export function toolCalls(events: LlmEvent[]): Array<{ id?: string; name?: string; arguments: string }> {
  const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
  for (const event of events) {
    if (event.type !== 'tool_call') continue;
    const call = (calls[event.index] ??= { arguments: '' });
    if (event.id !== undefined) call.id ??= event.id;
    if (event.name !== undefined) call.name ??= event.name;
    call.arguments += event.arguments_delta;
  }
  return calls;
}

export function textOf(events: LlmEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}
