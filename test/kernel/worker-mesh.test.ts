// titan:host/mesh reaches a component isolated in a worker: peers() shows the peers the kernel
// heard when the call was sent, submit() runs through the kernel's mesh port, and without a mesh
// submit says TITAN_E_MESH_DISABLED, as it does inline.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ComponentIdentity } from '../../host-api/index.ts';
import { deployFixture, kernelFor } from '../support/fixtures.ts';

const RELAY = fileURLToPath(new URL('../mesh/fixtures/relay/', import.meta.url));

test('a worker component granted mesh lists the peers and submits through the kernel', async (t) => {
  const { kernel } = await kernelFor(t);
  await deployFixture(kernel, path.resolve(RELAY));
  assert.equal(kernel.components().find((c) => c.slot === 'tool/relay')?.isolation, 'worker');
  assert.deepEqual(await kernel.invokeTool('relay', { tool: 'busy', input: {} }), { peers: [], error: 'TITAN_E_MESH_DISABLED: this node runs no mesh' });

  const submitted: Array<{ caller: string; name: string; range: string; input: string }> = [];
  kernel.plug({
    mesh: {
      peers: () => [{ id: 'peer-1', load: 0.5, freeSlots: 3 }],
      submit: async (caller: ComponentIdentity, name, range, input) => {
        submitted.push({ caller: `${caller.kind}/${caller.name}`, name, range, input });
        return JSON.stringify({ ran: name });
      },
    },
  });
  assert.deepEqual(await kernel.invokeTool('relay', { tool: 'busy', input: { ms: 1 } }), { peers: [{ id: 'peer-1', freeSlots: 3 }], answer: { ran: 'busy' } });
  assert.deepEqual(submitted, [{ caller: 'tool/relay', name: 'busy', range: '^1.0.0', input: '{"ms":1}' }]);
});
