import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secrets } from './secrets.ts';
import type { HostServices, InstanceContext } from './types.ts';

test('has() answers true only for a secret that is set and that the manifest names; never a value', async () => {
  const stored: Record<string, string> = { BRAVE_API_KEY: 'BSA-value', OTHER: 'other-value' };
  const services = { secret: async (name: string) => stored[name] } as unknown as HostServices;
  const context: InstanceContext = {
    component: { kind: 'tool', name: 't', version: '1.0.0', digest: 'sha256:0' },
    grant: { names: ['BRAVE_API_KEY', 'UNSET'] },
    services,
    callId: undefined,
  };
  const bound = secrets.bind(context, '0.2.0') as unknown as { has(name: string): Promise<boolean> };
  assert.equal(await bound.has('BRAVE_API_KEY'), true);
  assert.equal(await bound.has('UNSET'), false);
  assert.equal(await bound.has('OTHER'), false, "set, but not this component's to know about");
  assert.deepEqual(Object.keys(bound), ['has'], 'there is no call that answers a value');
});
