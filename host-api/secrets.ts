// titan:host/secrets: whether a named secret is set, for the secrets the manifest names
// ("secrets": {"names": ["BRAVE_API_KEY"]}). The value itself never crosses: a component writes
// {{secret:NAME}} in an http request and the host places it (see http.ts). Asynchronous (JSPI).
import type { HostInterface } from './types.ts';

export const secrets: HostInterface = {
  name: 'secrets',
  versions: ['0.2.0'],
  asyncFunctions: ['has'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['names'],
    properties: { names: { type: 'array', maxItems: 64, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' } } },
  },
  bind(context) {
    const names = new Set((context.grant as { names: string[] }).names);
    return {
      // A name the manifest does not list answers false: it is not this component's to know about.
      has: async (name: string) => names.has(name) && (await context.services.secret?.(name)) !== undefined,
    };
  },
};
