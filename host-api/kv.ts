// titan:host/kv: a namespace per component name (versions of one component share it, so a
// swap keeps the data). Asynchronous: the guest suspends through JSPI while the host works.
import type { HostInterface } from './types.ts';

const DEFAULT_LIMITS = { maxKeys: 10000, maxValueBytes: 65536 };

export const kv: HostInterface = {
  name: 'kv',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: ['get', 'set', 'delete', 'list-keys'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxKeys: { type: 'integer', minimum: 1, maximum: 1000000 },
      maxValueBytes: { type: 'integer', minimum: 1, maximum: 16777216 },
      namespace: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    },
  },
  bind(context) {
    const grant = context.grant as { maxKeys?: number; maxValueBytes?: number; namespace?: string };
    const namespace = grant.namespace ?? `${context.component.kind}.${context.component.name}`;
    const limits = { maxKeys: grant.maxKeys ?? DEFAULT_LIMITS.maxKeys, maxValueBytes: grant.maxValueBytes ?? DEFAULT_LIMITS.maxValueBytes };
    const store = context.services.kv;
    return {
      get: async (key: string) => (await store.get(namespace, key)) ?? null,
      set: async (key: string, value: string) => {
        try {
          await store.set(namespace, key, value, limits);
        } catch (error) {
          // jco lowers a thrown value's `payload` into the result's err case.
          throw { payload: error instanceof Error ? error.message : String(error) };
        }
      },
      delete: async (key: string) => store.delete(namespace, key),
      listKeys: async (prefix: string) => store.list(namespace, prefix),
    };
  },
};
