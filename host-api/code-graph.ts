// titan:host/code-graph: the workspace's code graph for a component (the code-graph tool): the
// definitions of a name, its callers and callees, or the ranked neighbourhood of a file or symbol,
// answered from the graph the agent keeps in memory, or who changed it (git, read on the host and
// cached). Asynchronous (JSPI), for the git read.
import type { HostInterface } from './types.ts';

const WHAT = new Set(['definitions', 'callers', 'callees', 'neighbourhood', 'history']);
const MAX_LIMIT = 200;

export const codeGraph: HostInterface = {
  name: 'code-graph',
  versions: ['0.2.0'],
  asyncFunctions: ['query'],
  grantSchema: { type: 'object', additionalProperties: false, properties: {} },
  bind(context) {
    return {
      query: async (what: string, target: string, limit: number) => {
        // jco lowers a thrown value's `payload` into the result's err case.
        if (!WHAT.has(what)) throw { payload: `TITAN_E_CODE_QUERY: "${what}" is not one of ${[...WHAT].join(', ')}` };
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw { payload: `TITAN_E_CODE_QUERY: limit must be 1-${MAX_LIMIT} (got ${limit})` };
        const service = context.services.codeGraph;
        if (!service) throw { payload: 'TITAN_E_CODE_NOT_INDEXED: this Titan keeps no code graph (codeGraph.enabled is false)' };
        try {
          return await service.query(what as 'definitions', target, limit);
        } catch (error) {
          const coded = error as { code?: string; message?: string };
          throw { payload: `${coded.code ?? 'TITAN_E_CODE_QUERY'}: ${coded.message ?? String(error)}` };
        }
      },
    };
  },
};
