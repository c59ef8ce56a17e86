// titan:host/memory: the agent's memory for a component - search, read, write, graph - each call
// allowed only when the grant lists it ({"allow": ["search", "read"]}); deny by default. The host
// side is the memory service the agent sets in the kernel's services (reached from worker threads
// through kernel/worker-memory.ts); without it (memory off) every call fails with a coded error.
// Asynchronous (JSPI).
import { isTitanError } from '../common/errors.ts';
import type { HostInterface, MemoryService } from './types.ts';

const CALLS = ['search', 'read', 'write', 'graph'] as const;
type Call = (typeof CALLS)[number];

function failure(error: unknown): { payload: string } {
  if (isTitanError(error)) return { payload: `${error.code}: ${error.message}${error.fix ? ` (${error.fix})` : ''}` };
  return { payload: `TITAN_E_COMPONENT_ERROR: ${error instanceof Error ? error.message : String(error)}` };
}

export const memory: HostInterface = {
  name: 'memory',
  versions: ['0.2.0'],
  asyncFunctions: [...CALLS],
  grantSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['allow'],
    properties: { allow: { type: 'array', maxItems: 4, uniqueItems: true, items: { enum: [...CALLS] } } },
  },
  bind(context) {
    const allowed = new Set((context.grant as { allow: Call[] }).allow);
    const guarded =
      <A extends unknown[]>(call: Call, run: (service: MemoryService, ...args: A) => Promise<string>) =>
      async (...args: A): Promise<string> => {
        // jco lowers a thrown value's `payload` into the result's err case.
        if (!allowed.has(call)) throw { payload: `TITAN_E_CAPABILITY_DENIED: the manifest does not allow memory.${call}` };
        const service = context.services.memory;
        if (!service) throw { payload: 'TITAN_E_MEMORY_DISABLED: this kernel runs no memory service here' };
        try {
          return await run(service, ...args);
        } catch (error) {
          throw failure(error);
        }
      };
    return {
      search: guarded('search', (s, request: string) => s.search(request)),
      read: guarded('read', (s, path: string) => s.read(path)),
      write: guarded('write', (s, path: string, content: string) => s.write(path, content)),
      graph: guarded('graph', (s, request: string) => s.graph(request)),
    };
  },
};
