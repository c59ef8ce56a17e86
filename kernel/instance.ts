// One live instance of a loaded component: its own linear memory, its own host import objects
// (bound to it, so the host knows which call is running), and the exported interface to call.
import type { HostServices, InstanceContext } from '../host-api/index.ts';
import type { LoadedComponent } from './loader.ts';
import { recordingImports, type TapeHolder } from './host-tape.ts';
import type { ImportTable } from './module-loader.ts';
import { camel } from './wit-names.ts';

export type GuestFunction = (...args: unknown[]) => unknown;

export type GuestInstance = {
  context: InstanceContext;
  exports: Record<string, GuestFunction>;
  /** The linear memories of the instance's core modules: read after a trap to tell out-of-memory. */
  memories: WebAssembly.Memory[];
  /** The running call's tape of host answers, when it is recorded (host-tape.ts). */
  tape: TapeHolder;
};

/**
 * True when some memory of the instance is close to its cap: a trap then most likely came from
 * a failed grow (an allocator asks for whole chunks, so "close" allows a chunk's worth of room).
 */
export function atMemoryCap(instance: GuestInstance, memoryMb: number): boolean {
  const cap = memoryMb * 1024 * 1024;
  const room = Math.max(2 * 1024 * 1024, cap / 10);
  return instance.memories.some((m) => m.buffer.byteLength + room >= cap);
}

/** Wraps core instantiation to keep a handle on every exported memory. */
export function recordingMemories(memories: WebAssembly.Memory[]) {
  return async (module: WebAssembly.Module, imports?: WebAssembly.Imports): Promise<WebAssembly.Instance> => {
    const instance = await WebAssembly.instantiate(module, imports);
    for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memories.push(value);
    return instance;
  };
}

export async function instantiate(loaded: LoadedComponent, services: HostServices): Promise<GuestInstance> {
  const { manifest, plan } = loaded;
  const context: InstanceContext = {
    component: { kind: manifest.kind, name: manifest.name, version: manifest.version, digest: manifest.digest },
    grant: {},
    services,
    callId: undefined,
  };
  const table: ImportTable = {};
  const tape: TapeHolder = {};
  for (const linked of plan.imports) {
    const bound = linked.host.bind(
      {
        ...context,
        grant: linked.grant,
        sync: linked.sync,
        get callId() {
          return context.callId;
        },
      } as InstanceContext,
      linked.version,
    );
    const recorded = recordingImports(bound, linked.spec, tape);
    // The glue reads the unversioned name while its types carry the version: give both.
    table[linked.spec] = recorded;
    table[linked.spec.slice(0, linked.spec.indexOf('@'))] = recorded;
  }
  const memories: WebAssembly.Memory[] = [];
  const root = await loaded.glue(
    (name) => {
      const module = loaded.modules.get(name);
      if (!module) throw new Error(`core module ${name} missing from the transpiled component`);
      return module;
    },
    table,
    recordingMemories(memories),
  );
  return { context, exports: root[plan.exportInterface] as Record<string, GuestFunction>, memories, tape };
}

export function guestFunction(instance: GuestInstance, witName: string): GuestFunction | undefined {
  return instance.exports[camel(witName)];
}
