// titan:host/mesh: the swarm as a component sees it - the peers this node hears (id, load, free
// slots) and `submit`, which runs a tool wherever the mesh's scheduler places it (a peer that
// advertises it at a version in the range with a free slot, else here) and returns its answer.
// Deny by default twice: the capability must be granted, and when the grant lists components
// ("mesh": {"components": ["busy"]}) only those may be submitted. Served to inline components;
// submit is asynchronous on the host (JSPI).
import type { HostInterface, MeshService } from './types.ts';

export const mesh: HostInterface = {
  name: 'mesh',
  versions: ['0.2.0'],
  asyncFunctions: ['submit'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { components: { type: 'array', maxItems: 64, items: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } } },
  },
  bind(context) {
    const listed = (context.grant as { components?: string[] }).components;
    const allowed = listed ? new Set(listed) : undefined;
    const service = (): MeshService | undefined => context.services.mesh;
    return {
      peers: () => service()?.peers() ?? [],
      submit: async (component: string, range: string, input: string) => {
        // jco lowers a thrown value's `payload` into the result's err case.
        if (allowed && !allowed.has(component))
          throw { payload: `TITAN_E_CAPABILITY_INVALID: the manifest does not allow submitting "${component}" to the mesh` };
        const mesh = service();
        if (!mesh) throw { payload: 'TITAN_E_MESH_DISABLED: this node runs no mesh' };
        try {
          return await mesh.submit(context.component, component, range || '*', input);
        } catch (error) {
          const coded = error as { code?: string; message?: string };
          throw { payload: `${coded.code ?? 'TITAN_E_COMPONENT_ERROR'}: ${coded.message ?? String(error)}` };
        }
      },
    };
  },
};
