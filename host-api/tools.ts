// titan:host/tools: a reflex runs the plan it was compiled from by calling the agent's tools by
// name. Deny by default twice: the capability must be granted, and only the tools the grant lists
// ("tools": {"allow": ["weather"]}) may be called. Asynchronous on the host (JSPI).
import type { HostInterface } from './types.ts';

export const tools: HostInterface = {
  name: 'tools',
  versions: ['0.2.0'],
  asyncFunctions: ['invoke'],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['allow'],
    properties: { allow: { type: 'array', maxItems: 32, items: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } } },
  },
  bind(context) {
    const allowed = new Set((context.grant as { allow: string[] }).allow);
    return {
      invoke: async (name: string, input: string) => {
        // jco lowers a thrown value's `payload` into the result's err case.
        if (!allowed.has(name)) throw { payload: `TITAN_E_CAPABILITY_DENIED: the manifest does not allow calling the tool "${name}"` };
        const service = context.services.tools;
        if (!service) throw { payload: 'TITAN_E_SLOT_EMPTY: this kernel runs no tools' };
        try {
          return await service.invoke(context.component, context.callId, name, input);
        } catch (error) {
          const coded = error as { code?: string; message?: string };
          throw { payload: `${coded.code ?? 'TITAN_E_COMPONENT_ERROR'}: ${coded.message ?? String(error)}` };
        }
      },
    };
  },
};
