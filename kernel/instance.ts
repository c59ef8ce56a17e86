// One live instance of a loaded component: its own linear memory, its own host import objects
// (bound to it, so the host knows which call is running), and the exported interface to call.
import type { HostServices, InstanceContext } from '../host-api/index.ts';
import type { LoadedComponent } from './loader.ts';
import type { ImportTable } from './module-loader.ts';
import { camel } from './kinds.ts';

export type GuestFunction = (...args: unknown[]) => unknown;

export type GuestInstance = {
  context: InstanceContext;
  exports: Record<string, GuestFunction>;
};

export async function instantiate(loaded: LoadedComponent, services: HostServices): Promise<GuestInstance> {
  const { manifest, plan } = loaded;
  const context: InstanceContext = {
    component: { kind: manifest.kind, name: manifest.name, version: manifest.version, digest: manifest.digest },
    grant: {},
    services,
    callId: undefined,
  };
  const table: ImportTable = {};
  for (const linked of plan.imports) {
    const bound = linked.host.bind({ ...context, grant: linked.grant, get callId() { return context.callId; } } as InstanceContext, linked.version);
    // The glue reads the unversioned name while its types carry the version: give both.
    table[linked.spec] = bound;
    table[linked.spec.slice(0, linked.spec.indexOf('@'))] = bound;
  }
  const root = await loaded.glue((name) => {
    const module = loaded.modules.get(name);
    if (!module) throw new Error(`core module ${name} missing from the transpiled component`);
    return module;
  }, table);
  const exported = (root[plan.exportInterface] ?? root[plan.exportInterface.split('/')[1].split('@')[0]]) as Record<string, GuestFunction>;
  return { context, exports: exported };
}

export function guestFunction(instance: GuestInstance, witName: string): GuestFunction | undefined {
  return instance.exports[camel(witName)];
}
