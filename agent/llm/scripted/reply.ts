// Turns a scripted turn (or echo mode) into a provider-neutral reply plan: the chunks to send,
// their delays, the stop reason, the usage, and the fault to play, if any.
import type { Fault, Part, Turn } from './script.ts';
import { estimateTokens, type Reply, type ReplyBlock, type RequestSummary } from './wire.ts';

export type Plan = { reply: Reply; firstDelayMs: number | undefined; fault: Fault | undefined };

const DEFAULT_ARGUMENT_CHUNK = 8;

/** Cuts text into word-sized pieces that keep their trailing whitespace ("a b" -> ["a ", "b"]). */
export function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

export function fixedChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function block(part: Part, turnDelayMs: number): ReplyBlock {
  const delayMs = part.delayMs ?? turnDelayMs;
  if (part.type === 'text') {
    const chunks = Array.isArray(part.text) ? part.text : part.chunkSize === undefined ? words(part.text) : fixedChunks(part.text, part.chunkSize);
    return { type: 'text', chunks, delayMs };
  }
  const argumentsJson = typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments);
  return {
    type: 'tool_call',
    id: part.id,
    name: part.name,
    argumentsJson,
    chunks: fixedChunks(argumentsJson, part.chunkSize ?? DEFAULT_ARGUMENT_CHUNK),
    delayMs,
  };
}

function outputChars(blocks: ReplyBlock[]): number {
  let chars = 0;
  for (const b of blocks) chars += b.type === 'text' ? b.chunks.join('').length : b.name.length + b.argumentsJson.length;
  return chars;
}

export function planTurn(turn: Turn, request: RequestSummary): Plan {
  const blocks = (turn.content ?? []).map((part) => block(part, turn.delayMs ?? 0));
  const hasToolCall = blocks.some((b) => b.type === 'tool_call');
  return {
    reply: {
      model: turn.model ?? request.model,
      blocks,
      stop: turn.stop ?? (hasToolCall ? 'tool_use' : 'end_turn'),
      usage: {
        inputTokens: turn.usage?.inputTokens ?? estimateTokens(request.promptChars),
        outputTokens: turn.usage?.outputTokens ?? estimateTokens(outputChars(blocks)),
      },
    },
    firstDelayMs: turn.firstDelayMs,
    fault: turn.fault,
  };
}

/** Echo mode: answers "echo: <last user message>", word by word, with no delay. */
export function planEcho(request: RequestSummary): Plan {
  const text = `echo: ${request.lastUserText}`;
  return planTurn({ content: [{ type: 'text', text }] }, request);
}
