// Every host interface a component can be granted. Adding a capability is adding a file here.
import { clock } from './clock.ts';
import { codeGraph } from './code-graph.ts';
import { events } from './events.ts';
import { exec } from './exec.ts';
import { files } from './files.ts';
import { html } from './html.ts';
import { http } from './http.ts';
import { kv } from './kv.ts';
import { log } from './log.ts';
import { memory } from './memory.ts';
import { mesh } from './mesh.ts';
import { secrets } from './secrets.ts';
import { sql } from './sql.ts';
import { tools } from './tools.ts';
import type { HostInterface } from './types.ts';

export const HOST_INTERFACES: ReadonlyMap<string, HostInterface> = new Map(
  [log, clock, kv, events, sql, exec, files, tools, mesh, http, secrets, html, memory, codeGraph].map((h) => [h.name, h]),
);

export type {
  HostInterface,
  HostServices,
  ToolService,
  CodeGraphService,
  MeshService,
  MemoryService,
  KvService,
  KeptRows,
  SqlService,
  SyncSqlService,
  SqlParam,
  SqlResult,
  InstanceContext,
  ComponentIdentity,
  LogLevel,
  HttpRecord,
} from './types.ts';
