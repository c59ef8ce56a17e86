import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory } from './memory.ts';
import type { HostServices, InstanceContext, MemoryService } from './types.ts';

function bound(allow: string[], service?: MemoryService) {
  const context = {
    component: { kind: 'tool', name: 't', version: '1.0.0', digest: 'd' },
    grant: { allow },
    services: { memory: service } as HostServices,
    callId: undefined,
  };
  return memory.bind(context as InstanceContext, '0.2.0') as Record<string, (...args: string[]) => Promise<string>>;
}

const echo: MemoryService = {
  search: async (r) => `search ${r}`,
  read: async (p) => `read ${p}`,
  write: async (p) => `write ${p}`,
  graph: async (r) => `graph ${r}`,
};

test('only the calls the grant lists reach memory', async () => {
  const imports = bound(['search'], echo);
  assert.equal(await imports.search('{"query":"x"}'), 'search {"query":"x"}');
  await assert.rejects(imports.write('a.md', 'x'), (e: { payload: string }) => e.payload.startsWith('TITAN_E_CAPABILITY_DENIED'));
  await assert.rejects(imports.read('a.md'), (e: { payload: string }) => e.payload.startsWith('TITAN_E_CAPABILITY_DENIED'));
});

test('without a memory service every call is a coded error', async () => {
  await assert.rejects(bound(['search']).search('{}'), (e: { payload: string }) => e.payload.startsWith('TITAN_E_MEMORY_DISABLED'));
});

test('a grant naming an unknown call is refused by the schema', () => {
  const schema = memory.grantSchema as { properties: { allow: { items: { enum: string[] } } } };
  assert.deepEqual(schema.properties.allow.items.enum, ['search', 'read', 'write', 'graph']);
});
