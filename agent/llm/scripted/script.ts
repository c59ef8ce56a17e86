// The script format: a list of turns the scripted model answers with, validated with ajv.
// A bad script is refused with TITAN_E_CONFIG_INVALID naming the field; nothing is loaded.
import { readFile } from 'node:fs/promises';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../../../common/ajv.ts';
import { TitanError } from '../../../common/errors.ts';

export const ROUTES = ['openai', 'anthropic', 'ollama'] as const;
export const STOP_REASONS = ['end_turn', 'tool_use', 'max_tokens', 'stop_sequence'] as const;
export const HTTP_FAULTS = ['rate_limit', 'overloaded', 'context_too_long', 'auth', 'server_error'] as const;

export type StopReason = (typeof STOP_REASONS)[number];
export type HttpFaultKind = (typeof HTTP_FAULTS)[number];

export type TextPart = {
  type: 'text';
  /** One string (cut into words, or into `chunkSize` characters) or the exact chunks. */
  text: string | string[];
  chunkSize?: number;
  /** Delay before each chunk of this part (overrides the turn's delayMs). */
  delayMs?: number;
};

export type ToolCallPart = {
  type: 'tool_call';
  name: string;
  /** An object (sent as compact JSON) or a string sent verbatim, which may be invalid JSON on purpose. */
  arguments: Record<string, unknown> | string;
  id?: string;
  /** Characters per argument delta (OpenAI and Anthropic); default 8. Ollama sends whole calls. */
  chunkSize?: number;
  delayMs?: number;
};

export type Part = TextPart | ToolCallPart;

export type Fault =
  | { kind: HttpFaultKind; status?: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'disconnect'; afterChunks: number }
  | { kind: 'malformed'; afterChunks: number; raw?: string }
  | { kind: 'stream_error'; afterChunks: number; error?: HttpFaultKind; message?: string };

export type Match = { lastUserContains?: string; lastMessageContains?: string; model?: string };

export type Turn = {
  /** Only requests on this route take the turn; omitted: any route. */
  route?: (typeof ROUTES)[number];
  /** Only requests that satisfy every field take the turn; others skip it (it stays for later). */
  match?: Match;
  /** Serve this turn to every matching request instead of consuming it. */
  repeat?: boolean;
  content?: Part[];
  /** Default: tool_use when the content has tool calls, end_turn otherwise. */
  stop?: StopReason;
  usage?: { inputTokens?: number; outputTokens?: number };
  /** Delay before each content chunk, in ms. */
  delayMs?: number;
  /** Delay before the first content chunk (time to first token), in ms; HTTP faults wait this long too. */
  firstDelayMs?: number;
  /** Model name reported in the answer; default: the model the request named. */
  model?: string;
  fault?: Fault;
};

export type Script = {
  name?: string;
  description?: string;
  turns: Turn[];
  /** What a request gets when no turn is left for it: a 500 in the provider's format (default), or echo. */
  whenExhausted?: 'error' | 'echo';
};

const nonNegative = { type: 'integer', minimum: 0 };
const message = { type: 'string', minLength: 1 };

const textPart = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'text'],
  properties: {
    type: { const: 'text' },
    text: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    chunkSize: { type: 'integer', minimum: 1 },
    delayMs: nonNegative,
  },
};

const toolCallPart = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'name', 'arguments'],
  properties: {
    type: { const: 'tool_call' },
    name: { type: 'string', minLength: 1 },
    arguments: { anyOf: [{ type: 'object' }, { type: 'string' }] },
    id: { type: 'string', minLength: 1 },
    chunkSize: { type: 'integer', minimum: 1 },
    delayMs: nonNegative,
  },
};

const faultSchema = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    ...HTTP_FAULTS.map((kind) => ({
      additionalProperties: false,
      properties: {
        kind: { const: kind },
        status: kind === 'overloaded' ? { enum: [503, 529] } : { type: 'integer', minimum: 400, maximum: 599 },
        retryAfterSeconds: nonNegative,
        message,
      },
    })),
    { additionalProperties: false, required: ['afterChunks'], properties: { kind: { const: 'disconnect' }, afterChunks: nonNegative } },
    {
      additionalProperties: false,
      required: ['afterChunks'],
      properties: { kind: { const: 'malformed' }, afterChunks: nonNegative, raw: { type: 'string' } },
    },
    {
      additionalProperties: false,
      required: ['afterChunks'],
      properties: { kind: { const: 'stream_error' }, afterChunks: nonNegative, error: { enum: HTTP_FAULTS }, message },
    },
  ],
};

const scriptSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['turns'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    whenExhausted: { enum: ['error', 'echo'] },
    turns: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          route: { enum: ROUTES },
          match: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { lastUserContains: { type: 'string' }, lastMessageContains: { type: 'string' }, model: { type: 'string' } },
          },
          repeat: { type: 'boolean' },
          content: {
            type: 'array',
            items: { type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: [textPart, toolCallPart] },
          },
          stop: { enum: STOP_REASONS },
          usage: {
            type: 'object',
            additionalProperties: false,
            properties: { inputTokens: nonNegative, outputTokens: nonNegative },
          },
          delayMs: nonNegative,
          firstDelayMs: nonNegative,
          model: { type: 'string', minLength: 1 },
          fault: faultSchema,
        },
      },
    },
  },
};

/** Compiled by the first script read, not when a start loads the scripted provider. */
let compiled: ValidateFunction<Script> | undefined;
const FIX = 'correct the script: agent/llm/scripted/README.md describes the format, with an example';

const TAGS: Record<string, readonly string[]> = { type: ['text', 'tool_call'], kind: [...HTTP_FAULTS, 'disconnect', 'malformed', 'stream_error'] };

function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath || '/';
      const tag = typeof e.params.tag === 'string' ? e.params.tag : undefined;
      if (e.keyword === 'discriminator' && tag !== undefined && TAGS[tag]) {
        return `${where}/${tag} ${JSON.stringify(e.params.tagValue)} is not one of ${TAGS[tag].join(', ')}`;
      }
      return `${where} ${e.message}`;
    })
    .join('; ');
}

/** Checks a parsed script; returns it typed, or throws TITAN_E_CONFIG_INVALID naming the bad fields. */
export function parseScript(value: unknown, where = 'script'): Script {
  const validate = (compiled ??= newAjv({ allErrors: true, discriminator: true }).compile<Script>(scriptSchema));
  if (!validate(value)) {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${where}: ${explain(validate.errors)}`, { fix: FIX });
  }
  return structuredClone(value);
}

/** Reads and checks a script file. */
export async function loadScriptFile(path: string): Promise<Script> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TitanError('TITAN_E_NOT_FOUND', `cannot read the script ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${path} is not JSON: ${(error as Error).message}`, { fix: FIX, cause: error });
  }
  return parseScript(value, path);
}
