// What a channel's or a provider's manifest tells the host about the platform it speaks (its
// `channel` or `provider` section), so the host runs any such component by what it declares and
// never by its name: the API base, message limits, the secrets by role, and how an inbound
// request is verified (one of a closed set of schemes the host computes; the component compares).

/** A value the host computes from a request with a secret and hands the component as a header. */
export type VerifyRule =
  /** Whether `header` equals the secret: `as` gets "true" or "false". */
  | { scheme: 'token-header'; secret: string; header: string; as: string }
  /** Only when the query has `param`: whether it equals the secret. */
  | { scheme: 'token-query'; secret: string; param: string; as: string }
  /** `prefix` + hex HMAC-SHA256 of `message` ("{body}", "{header:NAME}" filled in) with the secret. */
  | { scheme: 'hmac-sha256'; secret: string; message: string; prefix?: string; as: string }
  /** Whether `signatureHeader` (hex) is an Ed25519 signature of `message` by the secret (a hex public key). */
  | { scheme: 'ed25519'; secret: string; signatureHeader: string; message: string; as: string };

export type ChannelSecretSpec = {
  /** The TITAN_* variable (or secret store name) holding it. */
  env: string;
  /** "outbound": the component may name it in a request as {{secret:NAME}}; "verification": never leaves the host. */
  use: 'outbound' | 'verification';
  /** Without it the channel does not start. */
  required?: boolean;
};

export type ChannelSection = {
  /** How people call the platform ("Telegram"): thread titles, messages. */
  title: string;
  /** Where the component's outbound paths are appended; the config may point it elsewhere. */
  apiUrl: string;
  /** Longest text one message may hold: longer answers go as several messages. */
  maxChars: number;
  /** Whether a sent message can be edited, so a growing answer is shown as it grows. */
  canEdit: boolean;
  secrets: Record<string, ChannelSecretSpec>;
  verify: VerifyRule[];
  /** The platform can be polled (encode-outbound {"op":"poll"}) instead of calling a webhook. */
  polling?: boolean;
  /** How a chat is written to first (a routine's answer): the reply context's key for the chat id, and
   * whether a numeric id is sent as a number. Without it the channel only answers. */
  push?: { key: string; numeric?: boolean };
  /** The platform waits for an answer to every request (a deferred interaction): a pairing code is always sent. */
  answersEveryRequest?: boolean;
};

export type ProviderSection = {
  title: string;
  /** Used when <NAME>_BASE_URL is not set. */
  baseUrl?: string;
  /** Used when neither TITAN_MODEL nor <NAME>_MODEL says which model. */
  model?: string;
  /** How the host sends the API key (never given to the component). */
  keyHeader?: 'authorization' | 'x-api-key' | 'api-key';
};

const secretName = '^[a-z][a-z0-9-]{0,62}$';
const headerName = '^[a-z0-9-]{1,100}$';
const str = { type: 'string', minLength: 1, maxLength: 500 };
const rule = (scheme: string, required: string[], props: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: ['scheme', 'secret', 'as', ...required],
  properties: { scheme: { const: scheme }, secret: { type: 'string', pattern: secretName }, as: { type: 'string', pattern: headerName }, ...props },
});

export const channelSectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'apiUrl', 'maxChars', 'canEdit', 'secrets', 'verify'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 60 },
    apiUrl: { type: 'string', pattern: '^https?://' },
    maxChars: { type: 'integer', minimum: 16, maximum: 1_000_000 },
    canEdit: { type: 'boolean' },
    secrets: {
      type: 'object',
      maxProperties: 16,
      propertyNames: { pattern: secretName },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['env', 'use'],
        properties: { env: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,99}$' }, use: { enum: ['outbound', 'verification'] }, required: { type: 'boolean' } },
      },
    },
    verify: {
      type: 'array',
      maxItems: 8,
      items: {
        oneOf: [
          rule('token-header', ['header'], { header: { type: 'string', pattern: headerName } }),
          rule('token-query', ['param'], { param: str }),
          rule('hmac-sha256', ['message'], { message: str, prefix: { type: 'string', maxLength: 32 } }),
          rule('ed25519', ['signatureHeader', 'message'], { signatureHeader: { type: 'string', pattern: headerName }, message: str }),
        ],
      },
    },
    polling: { type: 'boolean' },
    answersEveryRequest: { type: 'boolean' },
    push: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: { key: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' }, numeric: { type: 'boolean' } },
    },
  },
};

export const providerSectionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 60 },
    baseUrl: { type: 'string', pattern: '^https?://' },
    model: { type: 'string', minLength: 1, maxLength: 200 },
    keyHeader: { enum: ['authorization', 'x-api-key', 'api-key'] },
  },
};
