// The shape every host interface shares (one file per interface in this folder): what it is
// called, which titan:host versions it implements, which functions suspend (JSPI), how it checks
// a manifest's grant, and how it builds the import object for one instance.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type ComponentIdentity = { kind: string; name: string; version: string; digest: string };

/** The kernel services an interface may use. The same shape exists in a worker thread as a proxy. */
export type HostServices = {
  log(component: ComponentIdentity, level: LogLevel, message: string, fields?: Record<string, string>): void;
  emit(component: ComponentIdentity, callId: string | undefined, kind: string, data: string): void;
  kv: KvService;
  /** Present when the kernel has a database open. */
  sql?: SqlService;
  /** The folder tools work in (exec, files), unless a grant names another. */
  workspace?: string;
  /** The agent's tools, for reflexes (titan:host/tools). Set by the kernel once it opens. */
  tools?: ToolService;
  /** The agent's memory (titan:host/memory). Set once the memory service runs. */
  memory?: MemoryService;
  /** The mesh's peers and scheduler (titan:host/mesh). Set while the node runs a mesh. */
  mesh?: MeshService;
  /**
   * A stored secret's value, for the host to place into an http request the grant allows
   * (titan:host/http). Never handed to a guest.
   */
  secret?(name: string): Promise<string | undefined>;
  /** An outbound request ended (titan:host/http): for /metrics and the event stream. */
  recordHttp?(component: ComponentIdentity, record: HttpRecord): void;
  /** The workspace's code graph (titan:host/code-graph). Set by the agent once its code graph is open. */
  codeGraph?: CodeGraphService;
  /** Rate limits on a component's own log lines and events: false means drop this one (counted). */
  chatter?: ChatterGate;
  /**
   * Where titan:host/exec runs commands instead of the host: the user's sandbox (a Docker
   * container with the workspace mounted). Set by `titan start` while the sandbox is on; a command
   * then never falls back to the host.
   */
  sandbox?: SandboxService;
};

/** One command in the sandbox: raw output chunks as they come; the run ends at its exit, timeout or abort. */
export type SandboxRun = {
  command: string;
  /** The workspace's real path on the host, and the folder inside it (relative) to start in. */
  workspace: string;
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  onChunk(stream: 'stdout' | 'stderr', chunk: Buffer): void;
};
export type SandboxExit = { code: number; signal: string | undefined; timedOut: boolean; cancelled: boolean };
export type SandboxService = { run(run: SandboxRun): Promise<SandboxExit> };

/** One outbound exchange as /metrics counts it: outcome is "ok" or the error's TITAN_E_ code. */
export type HttpRecord = { host: string; method: string; status: number; outcome: string; ms: number; bytes: number };

export type ChatterGate = { allow(component: ComponentIdentity, kind: 'log' | 'event', bytes: number): boolean };

/** What titan:host/mesh offers a component: the peers it hears, and a task run somewhere in the mesh. */
export type MeshService = {
  peers(): Array<{ id: string; load: number; freeSlots: number }>;
  /** Runs `invoke` of the tool `name` (a version in `range`) with `input`; resolves with its JSON answer. */
  submit(caller: ComponentIdentity, name: string, range: string, input: string): Promise<string>;
};

/** What titan:host/memory offers: JSON in, JSON out; failures are TitanErrors (coded). */
export type MemoryService = {
  search(request: string): Promise<string>;
  read(path: string): Promise<string>;
  write(path: string, content: string): Promise<string>;
  graph(request: string): Promise<string>;
};

/** Questions to the code graph, answered as JSON text from memory (throws a coded error on bad input). */
export type CodeGraphService = {
  /** JSON text; "history" reads git (cached), the others answer from memory at once. */
  query(what: 'definitions' | 'callers' | 'callees' | 'neighbourhood' | 'history', target: string, limit: number): Promise<string>;
};

/** Runs a tool for a component; `callId` is the caller's call (a guard replays recorded results by it). */
export type ToolService = {
  invoke(caller: ComponentIdentity, callId: string | undefined, name: string, input: string): Promise<string>;
};

export type SqlParam = null | number | bigint | string | Uint8Array | boolean;
export type SqlResult = { columns: string[]; rows: unknown[][]; changes: number };
export type KeptRows = Array<Record<string, unknown>>;

export type SqlService = {
  dialect: 'sqlite' | 'postgres';
  run(sql: string, params: SqlParam[]): Promise<SqlResult>;
  batch(statements: Array<{ sql: string; params: SqlParam[] }>): Promise<SqlResult[]>;
  begin(): Promise<number>;
  inTransaction(tx: number, sql: string, params: SqlParam[]): Promise<SqlResult>;
  commit(tx: number): Promise<void>;
  rollback(tx: number): Promise<void>;
  /** Keeps rows on the host under a handle (query-handle); `take` hands them over once. */
  keep(rows: Array<Record<string, unknown>>): number | Promise<number>;
  /** Starts a query and answers its handle at once, before the rows exist: a store that only
   * passes rows on then never waits for the database (on an asynchronous driver, no suspension).
   * Only where the rows are taken from (the kernel's thread); `take` then answers a promise. */
  keepQuery?(sql: string, params: SqlParam[]): number;
  take(handle: number): KeptRows | Promise<KeptRows> | undefined;
  /** The same calls answering at once, when the database's driver is synchronous (libSQL): an
   * inline component's sql imports are then bound as plain calls (no JSPI suspension at each). */
  sync?: SyncSqlService;
};

export type SyncSqlService = {
  run(sql: string, params: SqlParam[]): SqlResult;
  batch(statements: Array<{ sql: string; params: SqlParam[] }>): SqlResult[];
  begin(): number;
  inTransaction(tx: number, sql: string, params: SqlParam[]): SqlResult;
  commit(tx: number): void;
  rollback(tx: number): void;
  keep(rows: Array<Record<string, unknown>>): number;
};

export type KvService = {
  get(namespace: string, key: string): Promise<string | undefined>;
  set(namespace: string, key: string, value: string, limits: { maxKeys: number; maxValueBytes: number }): Promise<void>;
  delete(namespace: string, key: string): Promise<boolean>;
  list(namespace: string, prefix: string): Promise<string[]>;
};

/** Per instance: who is calling and, while a call runs, its id (one call per instance at a time). */
export type InstanceContext = {
  component: ComponentIdentity;
  grant: Record<string, unknown>;
  services: HostServices;
  callId: string | undefined;
  /** The interface was linked without JSPI (kernel/link-plan.ts syncHosts): its calls must answer at once. */
  sync?: boolean;
};

// Host functions take and return whatever the WIT types lower to; each module types its own.
// biome-ignore lint/suspicious/noExplicitAny: the import object is untyped by jco; each module types its own
export type ImportObject = Record<string, (...args: any[]) => unknown>;

export type HostInterface = {
  /** The capability name in component.json and the WIT interface name: "kv" -> titan:host/kv. */
  name: string;
  /** The titan:host package versions this module implements. */
  versions: string[];
  /** WIT names of functions that return promises on the host (run through JSPI). */
  asyncFunctions: string[];
  /** JSON Schema of the grant's settings in component.json ("capabilities": {"kv": {...}}). */
  grantSchema: Record<string, unknown>;
  bind(context: InstanceContext, version: string): ImportObject;
};
