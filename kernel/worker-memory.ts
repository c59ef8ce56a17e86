// titan:host/memory and titan:host/code-graph for components isolated in worker threads: both are
// asynchronous (JSPI), so their calls go to the kernel over the host channel like sql and tools,
// and the kernel holds each call to the grants the deployment was linked with, as the worker does.
import { TitanError, type ErrorCode } from '../common/errors.ts';
import type { CodeGraphService, HostServices, MemoryService } from '../host-api/index.ts';
import type { HostRequest, MemoryOp } from './worker-protocol.ts';

/** "CODE: message" (how a coded error crosses the channel) as a TitanError again. */
export function codedError(text: string): Error {
  const coded = /^(TITAN_E_[A-Z_]+): ([\s\S]*)$/.exec(text);
  return coded ? new TitanError(coded[1] as ErrorCode, coded[2]) : new Error(text);
}

/** Worker side: the memory service as the kernel's, over the channel. */
export function memoryOver(
  ask: (request: (id: string) => HostRequest) => Promise<unknown>,
  deploymentId: string,
  taskId: () => string | undefined,
): MemoryService {
  const call = (op: MemoryOp, args: string[]) =>
    (ask((id) => ({ type: 'memory', id, deploymentId, op, args, taskId: taskId() })) as Promise<string>).catch((error: Error) => {
      throw codedError(error.message);
    });
  return {
    search: (request) => call('search', [request]),
    read: (path) => call('read', [path]),
    write: (path, content) => call('write', [path, content]),
    graph: (request) => call('graph', [request]),
  };
}

/** Worker side: the code graph as the kernel's, over the channel. */
export function codeGraphOver(
  ask: (request: (id: string) => HostRequest) => Promise<unknown>,
  deploymentId: string,
  taskId: () => string | undefined,
): CodeGraphService {
  return {
    query: (what, target, limit) =>
      (ask((id) => ({ type: 'code-graph', id, deploymentId, what, target, limit, taskId: taskId() })) as Promise<string>).catch((error: Error) => {
        throw codedError(error.message);
      }),
  };
}

/** Kernel side: the import names and grants each worker deployment was linked with. */
export class WorkerGrants {
  readonly #byDeployment = new Map<string, Map<string, Record<string, unknown>>>();

  add(deploymentId: string, imports: Array<{ name: string; grant: Record<string, unknown> }>): void {
    this.#byDeployment.set(deploymentId, new Map(imports.map((i) => [i.name, i.grant])));
  }

  delete(deploymentId: string): void {
    this.#byDeployment.delete(deploymentId);
  }

  /** Throws TITAN_E_CAPABILITY_DENIED unless the deployment imports `name` (and its grant allows `op`). */
  check(deploymentId: string, name: string, op?: string): void {
    const grant = this.#byDeployment.get(deploymentId)?.get(name);
    const allow = grant?.allow;
    if (!grant || (op !== undefined && !(Array.isArray(allow) && allow.includes(op))))
      throw new TitanError('TITAN_E_CAPABILITY_DENIED', `the manifest does not allow ${name}${op ? `.${op}` : ''}`);
  }
}

/** Kernel side: a worker's memory call, run by the kernel's memory service. */
export async function serveMemory(services: HostServices, grants: WorkerGrants, request: Extract<HostRequest, { type: 'memory' }>): Promise<string> {
  grants.check(request.deploymentId, 'memory', request.op);
  const service = services.memory;
  if (!service) throw new TitanError('TITAN_E_MEMORY_DISABLED', 'this kernel runs no memory service');
  const [a = '', b = ''] = request.args;
  if (request.op === 'write') return service.write(a, b);
  return service[request.op](a);
}

/** Kernel side: a worker's code-graph question, answered by the kernel's code graph. */
export async function serveCodeGraph(services: HostServices, grants: WorkerGrants, request: Extract<HostRequest, { type: 'code-graph' }>): Promise<string> {
  grants.check(request.deploymentId, 'code-graph');
  if (!services.codeGraph) throw new TitanError('TITAN_E_CODE_NOT_INDEXED', 'this Titan keeps no code graph (codeGraph.enabled is false)');
  return services.codeGraph.query(request.what, request.target, request.limit);
}
