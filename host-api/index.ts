// Every host interface a component can be granted. Adding a capability is adding a file here.
// sql, http, mesh and secrets are declared in wit/ and arrive with the stores, runtime and mesh work.
import { clock } from './clock.ts';
import { events } from './events.ts';
import { kv } from './kv.ts';
import { log } from './log.ts';
import type { HostInterface } from './types.ts';

export const HOST_INTERFACES: ReadonlyMap<string, HostInterface> = new Map([log, clock, kv, events].map((h) => [h.name, h]));

export type { HostInterface, HostServices, KvService, InstanceContext, ComponentIdentity, LogLevel } from './types.ts';
