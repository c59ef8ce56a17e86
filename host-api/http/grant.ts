// The http grant of a manifest and the one question it answers: may this method go to this URL?
// A rule names a host exactly ("api.example.com"), every subdomain ("*.example.com") or any public
// host ("*"); the methods and path prefixes it allows; the schemes (https only unless it says
// "http"); and whether the named host may resolve to a private address (only an exact name may).
export type Header = [string, string];

export type HttpRule = {
  host: string;
  methods?: string[];
  pathPrefixes?: string[];
  schemes?: Array<'http' | 'https'>;
  /** The host may be (or resolve to) a private, loopback or link-local address. Exact hosts only. */
  private?: boolean;
};

export type HttpGrant = {
  allow: HttpRule[];
  /** Secret name -> the hosts (exact or "*.example.com") it may be placed in requests to. */
  secrets?: Record<string, string[]>;
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRequestBytes?: number;
  maxRedirects?: number;
};

export const HTTP_DEFAULTS = { timeoutMs: 30_000, maxResponseBytes: 10 * 1024 * 1024, maxRequestBytes: 10 * 1024 * 1024, maxRedirects: 5 };

const HOST_PATTERN = '^(\\*|(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])$';

export const HTTP_GRANT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['allow'],
  properties: {
    allow: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['host'],
        properties: {
          host: { type: 'string', maxLength: 253, pattern: HOST_PATTERN },
          methods: { type: 'array', maxItems: 9, uniqueItems: true, items: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] } },
          pathPrefixes: { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^/', maxLength: 1024 } },
          schemes: { type: 'array', maxItems: 2, uniqueItems: true, items: { enum: ['http', 'https'] } },
          private: { type: 'boolean' },
        },
        // A private address is granted by name: never through a wildcard.
        if: { required: ['private'], properties: { private: { const: true } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
        then: { properties: { host: { type: 'string', not: { type: 'string', pattern: '\\*' } } } },
      },
    },
    secrets: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
      additionalProperties: { type: 'array', minItems: 1, maxItems: 32, items: { type: 'string', maxLength: 253, pattern: HOST_PATTERN, not: { const: '*' } } },
    },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
    maxResponseBytes: { type: 'integer', minimum: 1, maximum: 1024 * 1024 * 1024 },
    maxRequestBytes: { type: 'integer', minimum: 0, maximum: 1024 * 1024 * 1024 },
    maxRedirects: { type: 'integer', minimum: 0, maximum: 20 },
  },
};

/** A URL's host as rules name it: lower case, IPv6 in brackets, no trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, '');
}

/** "api.example.com" matches itself; "*.example.com" matches its subdomains; "*" matches any name. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** The rule that allows this request, or why none does. */
export function matchRule(grant: HttpGrant, method: string, url: URL): { rule: HttpRule } | { denied: string } {
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return { denied: `${url.protocol} URLs are not fetched (http and https only)` };
  if (url.username || url.password) return { denied: 'URLs with credentials are refused: place secrets with {{secret:NAME}}' };
  const host = hostOf(url);
  const hosts = grant.allow.filter((r) => hostMatches(r.host, host));
  if (hosts.length === 0) return { denied: `${host} is not a host this component may reach` };
  const schemes = hosts.filter((r) => (r.schemes ?? ['https']).includes(scheme));
  if (schemes.length === 0)
    return { denied: `${scheme}:// to ${host} is not granted (only ${[...new Set(hosts.flatMap((r) => r.schemes ?? ['https']))].join(', ')})` };
  const methods = schemes.filter((r) => (r.methods ?? ['GET', 'HEAD']).includes(method));
  if (methods.length === 0) return { denied: `${method} to ${host} is not granted` };
  const rule = methods.find((r) => (r.pathPrefixes ?? ['/']).some((prefix) => url.pathname.startsWith(prefix)));
  if (!rule) return { denied: `${url.pathname} on ${host} is outside the granted paths` };
  return { rule };
}

/** May the secret `name` be placed in a request to `host`? */
export function secretAllowed(grant: HttpGrant, name: string, host: string): boolean {
  return (grant.secrets?.[name] ?? []).some((pattern) => hostMatches(pattern, host));
}
