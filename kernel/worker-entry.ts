// Runs inside a worker thread of the isolation pool: keeps instances of the components it has
// been asked to run, and reaches the kernel's services over a BroadcastChannel. A call past its
// time limit never returns here: the kernel terminates this whole thread.
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { HOST_INTERFACES, type HostServices } from '../host-api/index.ts';
import { readTranspiled } from '../toolchain/transpile.ts';
import { isGuestResultError } from './guest-errors.ts';
import { atMemoryCap, guestFunction, recordingMemories, type GuestInstance } from './instance.ts';
import { compileAll } from './loader.ts';
import type { ImportTable } from './module-loader.ts';
import { evaluateGlue } from './module-loader.ts';
import { LIST_EXPORTS, type HostReply, type HostRequest, type WorkerOutcome, type WorkerTask } from './worker-protocol.ts';

const instances = new Map<string, Promise<GuestInstance>>();
const channels = new Map<string, { channel: BroadcastChannel; pending: Map<string, (reply: HostReply) => void> }>();

function channelFor(name: string) {
  let entry = channels.get(name);
  if (entry) return entry;
  const channel = new BroadcastChannel(name);
  const pending = new Map<string, (reply: HostReply) => void>();
  channel.onmessage = (event) => {
    const reply = (event as { data: HostReply }).data;
    if (reply.type === 'kv-reply') pending.get(reply.id)?.(reply);
    else if (reply.type === 'dispose') instances.delete(reply.deploymentId);
  };
  // The channel must not keep an idle worker alive.
  (channel as unknown as { unref(): void }).unref();
  channels.set(name, (entry = { channel, pending }));
  return entry;
}

function servicesOver(name: string): HostServices {
  const { channel, pending } = channelFor(name);
  const post = (message: HostRequest) => channel.postMessage(message);
  const ask = (request: (id: string) => HostRequest) =>
    new Promise<unknown>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, (reply) => {
        pending.delete(id);
        if (reply.type === 'kv-reply' && reply.error !== undefined) reject(new Error(reply.error));
        else if (reply.type === 'kv-reply') resolve(reply.value);
      });
      post(request(id));
    });
  const kvCall = (op: 'get' | 'set' | 'delete' | 'list', args: unknown[]) => ask((id) => ({ type: 'kv', id, op, args }));
  return {
    log: (component, level, message, fields) => post({ type: 'log', component, level, message, fields }),
    emit: (component, callId, kind, data) => post({ type: 'emit', component, callId, kind, data }),
    kv: {
      get: (ns, key) => kvCall('get', [ns, key]) as Promise<string | undefined>,
      set: (ns, key, value, limits) => kvCall('set', [ns, key, value, limits]) as Promise<void>,
      delete: (ns, key) => kvCall('delete', [ns, key]) as Promise<boolean>,
      list: (ns, prefix) => kvCall('list', [ns, prefix]) as Promise<string[]>,
    },
    secret: (name) => ask((id) => ({ type: 'secret', id, name })) as Promise<string | undefined>,
    recordHttp: (component, record) => post({ type: 'http', component, record }),
    tools: {
      invoke: (component, callId, name, input) => ask((id) => ({ type: 'tool', id, component, callId, name, input })) as Promise<string>,
    },
  };
}

async function createInstance(task: WorkerTask): Promise<GuestInstance> {
  const transpiled = await readTranspiled(task.dir);
  if (!transpiled) throw new Error(`transpiled component missing at ${task.dir}`);
  const modules = await compileAll(transpiled.cores, task.memoryMb);
  const glue = evaluateGlue(transpiled.js, `${task.dir}/component.js`);
  const context = { component: task.component, grant: {}, services: servicesOver(task.channel), callId: undefined as string | undefined };
  const table: ImportTable = {};
  for (const linked of task.imports) {
    const host = HOST_INTERFACES.get(linked.name);
    if (!host) throw new Error(`host interface ${linked.name} is not available in workers`);
    const bound = host.bind({ ...context, grant: linked.grant, get callId() { return context.callId; } }, linked.version);
    table[linked.spec] = bound;
    table[linked.spec.slice(0, linked.spec.indexOf('@'))] = bound;
  }
  const memories: WebAssembly.Memory[] = [];
  const root = await glue((name) => modules.get(name) as WebAssembly.Module, table, recordingMemories(memories));
  return { context, exports: root[task.exportInterface] as GuestInstance['exports'], memories };
}

export default async function runTask(task: WorkerTask): Promise<WorkerOutcome> {
  let pending = instances.get(task.deploymentId);
  if (!pending) {
    pending = createInstance(task);
    instances.set(task.deploymentId, pending);
    pending.catch(() => instances.delete(task.deploymentId));
  }
  let instance: GuestInstance;
  try {
    instance = await pending;
  } catch (error) {
    return { kind: 'trap', message: `instantiation failed: ${(error as Error).message}` };
  }
  if (task.fn === LIST_EXPORTS) return { kind: 'ok', value: Object.keys(instance.exports) };
  const guest = guestFunction(instance, task.fn);
  if (!guest) return { kind: 'missing', fn: task.fn };
  instance.context.callId = task.callId;
  channelFor(task.channel).channel.postMessage({ type: 'started', taskId: task.taskId } satisfies HostRequest);
  try {
    return { kind: 'ok', value: await guest(...task.args) };
  } catch (error) {
    if (isGuestResultError(error)) return { kind: 'guest-error', payload: error.payload };
    instances.delete(task.deploymentId);
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'trap', message, outOfMemory: atMemoryCap(instance, task.memoryMb) };
  }
}
