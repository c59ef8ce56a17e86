// Every error a user can see: a TITAN_E_ code, a one-line cause, and the fix where there is one.
// The gateway maps `status` to HTTP; the CLI prints `code: cause` and `fix: ...`.

type ErrorSpec = { status: number; fix?: string };

export const ERRORS = {
  TITAN_E_NODE_VERSION: { status: 500, fix: 'run through npm (npm start, npm test, npx titan), which uses the project-local Node 24' },
  TITAN_E_CONFIG_INVALID: {
    status: 400,
    fix: 'correct the named key in its section of $TITAN_HOME/config.json (e.g. { "mesh": { "slots": 8 } }) or the named TITAN_* variable; README, Configuration, lists each section',
  },
  TITAN_E_USAGE: { status: 400, fix: 'run `npx titan help` for the commands and their arguments' },
  TITAN_E_NOT_FOUND: { status: 404 },

  // toolchain
  TITAN_E_BUILD_FAILED: { status: 400, fix: 'fix the component source; the message above comes from the compiler' },
  // installs
  TITAN_E_BACKEND_MISSING: { status: 501, fix: 'install the backend package beside Titan, or build with the default backend (quickjs)' },
  TITAN_E_BUNDLER_MISSING: {
    status: 501,
    fix: "install esbuild in the component's folder (npm install -D esbuild there) or beside Titan (npm install esbuild)",
  },
  // optional installs (common/optional-package.ts): parts a production install leaves out
  TITAN_E_TELEMETRY_MISSING: {
    status: 501,
    fix: "install the OpenTelemetry SDK in Titan's folder (npm install @opentelemetry/sdk-trace-node@^2.12.1 @opentelemetry/exporter-trace-otlp-http@^0.223.1 @opentelemetry/resources@^2.12.1), or leave telemetry.otlpEndpoint empty",
  },
  TITAN_E_CHAT_UI_MISSING: {
    status: 501,
    fix: "install the terminal UI in Titan's folder (npm install ink@^6.8.0 react@^19.3.1), or chat in the web UI or at the prompt of `titan start`",
  },
  TITAN_E_DOCKER_CLIENT_MISSING: {
    status: 501,
    fix: "install the Docker client in Titan's folder (npm install dockerode@^5.0.1), or turn jobs off on this node (jobs.docker false)",
  },
  TITAN_E_SOURCE_MISSING: { status: 400, fix: 'add the file named by "source" in component.json' },
  TITAN_E_WIT_UNKNOWN: { status: 400, fix: 'use a world listed under wit/ (titan:<kind>/<kind>-component@<version>)' },

  // registry
  TITAN_E_MANIFEST_INVALID: { status: 400, fix: 'correct component.json so it matches the manifest schema' },
  TITAN_E_INVALID_COMPONENT: { status: 400, fix: 'publish a WebAssembly component built by `titan build` (core modules and other files are refused)' },
  TITAN_E_DIGEST_MISMATCH: { status: 409, fix: 'the blob was altered or truncated: run `titan registry verify`, then re-publish or re-import it' },
  TITAN_E_SIGNATURE_INVALID: { status: 409, fix: 're-publish the component from a trusted source' },
  TITAN_E_VERSION_EXISTS: { status: 409, fix: 'versions are immutable: bump "version" in component.json' },
  TITAN_E_UNRESOLVABLE: { status: 404, fix: 'run `titan registry list` to see the published versions' },
  TITAN_E_WORLD_MISMATCH: { status: 400, fix: 'build the component against the world its manifest names' },
  TITAN_E_WORLD_UNSUPPORTED: { status: 400, fix: 'rebuild the component against a world version this kernel links (see wit/)' },
  TITAN_E_MANIFEST_MISMATCH: {
    status: 409,
    fix: 'the manifest does not describe its binary (imports, exports or world): publish the component from its source with `titan registry publish`',
  },
  TITAN_E_ARCHIVE_INVALID: { status: 400, fix: 'import an archive written by `titan registry export`' },

  // kernel
  TITAN_E_UNDECLARED_IMPORT: { status: 403, fix: 'declare the capability under "capabilities" in component.json, or stop importing it' },
  TITAN_E_UNKNOWN_IMPORT: { status: 400, fix: 'components may import only titan:host interfaces this kernel provides' },
  TITAN_E_CAPABILITY_INVALID: { status: 400, fix: 'correct the capability settings in component.json' },
  TITAN_E_SMOKE_FAILED: { status: 422, fix: 'the old version keeps serving; fix the component and publish a new version' },
  TITAN_E_COMPONENT_TRAP: { status: 500, fix: 'the instance was replaced; if it repeats, roll the component back' },
  TITAN_E_COMPONENT_ERROR: { status: 422 },
  TITAN_E_TIMEOUT: { status: 504, fix: 'raise limits.timeoutMs in component.json if the work is legitimately long' },
  TITAN_E_OUT_OF_MEMORY: { status: 507, fix: 'raise limits.memoryMb in component.json if the component needs more' },
  TITAN_E_RESULT_TOO_LARGE: {
    status: 502,
    fix: "return less (page or summarise the data), or raise limits.maxResultBytes in component.json (the kernel's maxResultBytes is the ceiling)",
  },
  TITAN_E_RESULT_INVALID: {
    status: 502,
    fix: 'the component handed out a value its WIT type does not allow (e.g. invalid UTF-8, or a tool answer that is not JSON): fix the component',
  },
  TITAN_E_SLOT_EMPTY: { status: 404, fix: 'deploy the component first (`titan kernel propose`, approve, deploy)' },
  TITAN_E_SWAP_IN_PROGRESS: { status: 409, fix: 'wait for the running swap of this slot to finish, then retry' },
  TITAN_E_KIND_MISMATCH: { status: 400, fix: 'a slot holds one kind of component: deploy a component of the same kind and name' },
  TITAN_E_NOTHING_TO_ROLL_BACK: { status: 409, fix: 'this slot has no earlier version deployed' },
  TITAN_E_PATCH_STATE: { status: 409, fix: 'see `titan kernel patches` for the patch state and the allowed next steps' },
  TITAN_E_KERNEL_UNREACHABLE: { status: 503, fix: 'start the kernel with `npm start`' },
  TITAN_E_SHUTTING_DOWN: { status: 503 },

  // stores
  TITAN_E_DB_CORRUPT: { status: 500 },
  TITAN_E_DB_UNAVAILABLE: { status: 503, fix: 'check TITAN_DB_URL (file:PATH or postgres://...) and that the database is reachable' },
  TITAN_E_DISK_FULL: {
    status: 507,
    fix: 'free space on the disk holding the database ($TITAN_HOME for the libSQL file, the server for PostgreSQL); Titan writes again by itself once there is room',
  },
  TITAN_E_DB_URL_INVALID: { status: 400, fix: 'set TITAN_DB_URL to file:/path/to/titan.db or postgres://user:pass@host:port/db' },
  TITAN_E_SQL: { status: 500 },
  TITAN_E_SQL_CONSTRAINT: { status: 409 },
  TITAN_E_SQL_SYNTAX: { status: 500, fix: 'a store component sent SQL the database refused: roll the store back and report it' },
  TITAN_E_SCHEMA_MISSING: { status: 500, fix: 'deploy a store version whose migrations create the table, or run `titan db migrate`' },
  TITAN_E_STORE: { status: 500 },
  TITAN_E_TURN_STATE: { status: 409, fix: 'a turn moves pending -> streaming -> awaiting_approval -> completed | failed | interrupted' },
  // agent runtime
  TITAN_E_PROVIDER_NOT_CONFIGURED: { status: 503, fix: 'set TITAN_PROVIDER (openai, anthropic, ollama or scripted) and its key, e.g. OPENAI_API_KEY' },
  TITAN_E_PROVIDER_RATE_LIMITED: { status: 429, fix: 'wait and retry, or configure a fallback provider' },
  TITAN_E_PROVIDER_OVERLOADED: { status: 503, fix: 'the provider is overloaded: retry later, or configure a fallback provider' },
  TITAN_E_PROVIDER_CONTEXT_TOO_LONG: { status: 413, fix: 'start a new thread, or use a model with a longer context' },
  TITAN_E_PROVIDER_AUTH: { status: 401, fix: 'check the API key variable of the provider (OPENAI_API_KEY, ANTHROPIC_API_KEY)' },
  TITAN_E_PROVIDER_BAD_REQUEST: { status: 400 },
  TITAN_E_PROVIDER_UNAVAILABLE: { status: 502, fix: 'check the provider base URL and that the server is reachable' },
  TITAN_E_PROVIDER_STREAM: { status: 502, fix: 'the answer was cut or malformed; what arrived was kept, send the message again' },
  TITAN_E_CIRCUIT_OPEN: { status: 503, fix: 'the provider failed repeatedly and is paused for a moment; a fallback provider is used if configured' },
  TITAN_E_TOOL_UNKNOWN: { status: 400 },
  TITAN_E_TOOL_ARGUMENTS: { status: 400 },
  TITAN_E_APPROVAL_EXPIRED: { status: 410 },
  TITAN_E_APPROVAL_REJECTED: { status: 403 },
  TITAN_E_INTERRUPTED: { status: 499 },
  TITAN_E_WORKSPACE_PATH: { status: 403, fix: 'tools read and write only inside the workspace folder' },
  TITAN_E_WRITE_FAILED: { status: 503, fix: 'the write was retried and failed; see the warning event and the kernel log' },
  // memory
  TITAN_E_MEMORY_QUERY_TOO_LONG: { status: 413, fix: 'search with at most 2000 characters and ask for at most 50 results' },
  TITAN_E_MEMORY_DISABLED: { status: 503, fix: 'set { "memory": { "enabled": true } } in $TITAN_HOME/config.json (or TITAN_MEMORY=1) and restart' },
  TITAN_E_MEMORY_PATH: { status: 400, fix: 'name a document by its path inside the workspace (as `titan memory search` shows it)' },
  // mesh
  TITAN_E_MESH_DISABLED: { status: 503, fix: 'set { "mesh": { "enabled": true } } in $TITAN_HOME/config.json (or TITAN_MESH=true) and restart' },
  TITAN_E_MESH_PEER_INVALID: { status: 400, fix: 'give a libp2p peer id (12D3KooW...; `titan mesh status` on that node prints it)' },
  TITAN_E_MESH_PSK_INVALID: {
    status: 400,
    fix: 'point mesh.pskFile at a libp2p swarm key (/key/swarm/psk/1.0.0/, /base16/, 64 hex digits); `titan mesh keygen FILE` writes one',
  },
  TITAN_E_MESH_UNREACHABLE: {
    status: 503,
    fix: 'check the address and that the peer runs with the mesh on; each side must allow the other (`titan mesh allow PEER`) or share the psk',
  },
  TITAN_E_MESH_NO_PEER: { status: 503, fix: 'start a node that serves the component, or run the task locally' },
  TITAN_E_MESH_NOT_ASSIGNEE: { status: 409, fix: 'send the task to the peer it names' },
  TITAN_E_MESH_TASK_INVALID: { status: 400 },
  TITAN_E_MESH_CANCELLED: { status: 499 },
  TITAN_E_MESH_NOT_OFFLOADABLE: { status: 403, fix: 'only components limited to log, clock and events run on peers; call this one on its own node' },
  TITAN_E_MESH_TASK_TOO_LARGE: { status: 413, fix: 'a reflex build sent to a peer carries at most 1 MiB of source; larger ones build on their own node' },
  TITAN_E_MESH_EMBEDDINGS_REJECTED: {
    status: 502,
    fix: 'nothing to do: this mining run embedded on this node instead; check the peer named in the message (its embedding model, or remove it with `titan mesh deny PEER`)',
  },
  TITAN_E_MESH_BUILD_REJECTED: {
    status: 502,
    fix: 'nothing to do: the reflex was built on this node instead; check the peer named in the message (its toolchain, or remove it with `titan mesh deny PEER`)',
  },
  // gateway
  TITAN_E_AUTH: { status: 401, fix: 'send "Authorization: Bearer <token>"; the owner token is in $TITAN_HOME/gateway-token' },
  TITAN_E_FORBIDDEN: { status: 403, fix: 'this needs the owner token (in $TITAN_HOME/gateway-token)' },
  TITAN_E_FORBIDDEN_ORIGIN: {
    status: 403,
    fix: 'open the page from a loopback address, or add its origin to gateway.allowedOrigins in $TITAN_HOME/config.json',
  },
  TITAN_E_RATE_LIMITED: { status: 429, fix: 'wait the seconds in Retry-After, or raise gateway.rateLimitPerMinute (TITAN_RATE_LIMIT)' },
  TITAN_E_UNSUPPORTED_ENCODING: { status: 415, fix: 'send the body uncompressed, or as gzip, deflate or br (Content-Encoding)' },
  TITAN_E_BODY_TOO_LARGE: { status: 413, fix: 'send a smaller body, or raise gateway.maxBodyBytes in $TITAN_HOME/config.json' },
  TITAN_E_INVALID_REQUEST: { status: 400, fix: 'correct the request as the message says (JSON bodies need Content-Type: application/json)' },
  TITAN_E_NOT_READY: { status: 503, fix: 'wait for the kernel to finish starting; the answer lists what is missing' },
  TITAN_E_PORT_IN_USE: { status: 503, fix: 'stop what listens there, or set TITAN_PORT to another port (0 picks a free one)' },
  TITAN_E_INTERNAL: { status: 500, fix: 'see the kernel log in $TITAN_HOME/logs; report it if it repeats' },

  // messaging channels
  TITAN_E_CHANNEL_SIGNATURE: {
    status: 401,
    fix: 'send the webhook from the platform itself, signed with the secret Titan is configured with (see README, Channels)',
  },
  TITAN_E_CHANNEL_PAYLOAD: { status: 400, fix: "send the platform's own webhook payload; this one is not a shape the channel reads" },
  TITAN_E_CHANNEL_UNKNOWN: { status: 404, fix: 'enable the channel (README, Channels) and use its webhook URL /channels/<name>/webhook' },
  TITAN_E_CHANNEL_REPLAY: { status: 200, fix: 'nothing to do: the platform delivered an event Titan had already handled' },
  TITAN_E_CHANNEL_SEND: { status: 502, fix: "check the channel's token and API URL; the platform's answer is in the message" },
  TITAN_E_CHANNEL_CONFIG: { status: 400, fix: "set the channel's secrets (README, Channels) in the environment or $TITAN_HOME/channel-secrets.json" },

  // reflexes
  TITAN_E_REFLEX_NOT_FOUND: { status: 404, fix: 'run `titan reflex list` for the reflexes this kernel knows' },
  TITAN_E_REFLEX_STATE: { status: 409, fix: 'a reflex is suspended only while it serves, and resumed only while suspended' },
  TITAN_E_REFLEX_DISABLED: { status: 503, fix: 'set "reflexes": true in $TITAN_HOME/config.json (or TITAN_REFLEXES=true) and restart' },
  TITAN_E_NOT_FAST_ANSWER: { status: 409, fix: 'only an answer that came from a reflex or the shadow cache can be asked of the model again' },
  TITAN_E_CAPABILITY_DENIED: { status: 403, fix: 'list the tool under "capabilities": {"tools": {"allow": [...]}} in component.json' },

  // the world: outbound http, secrets
  TITAN_E_HTTP_DENIED: {
    status: 403,
    fix: 'grant the host, method and path in the component\'s "http" capability ({"allow": [{"host": ...}]}); a private address needs an exact host with "private": true',
  },
  TITAN_E_HTTP_TIMEOUT: { status: 504, fix: 'raise "timeoutMs" in the component\'s "http" capability if the server is legitimately slow' },
  TITAN_E_HTTP_TOO_LARGE: { status: 413, fix: 'raise "maxResponseBytes" (or "maxRequestBytes") in the component\'s "http" capability' },
  TITAN_E_HTTP_FAILED: { status: 502, fix: 'check that the server is reachable; the cause is in the message' },
  TITAN_E_HTTP_INVALID: { status: 400, fix: 'send an absolute http(s) URL and header names and values without line breaks' },
  TITAN_E_SECRET_DENIED: { status: 403, fix: 'name the secret and the hosts it may go to under "secrets" in the component\'s "http" capability' },
  TITAN_E_SECRET_MISSING: { status: 404, fix: 'store it with `titan secrets set NAME` (or the Settings page of the web UI)' },
  TITAN_E_SECRET_NAME: { status: 400, fix: 'a secret name is a letter then letters, digits or _ (at most 64), e.g. BRAVE_API_KEY' },
  TITAN_E_SECRETS_UNREADABLE: {
    status: 500,
    fix: 'the secret store or its key file is damaged or unreadable by this user: restore $TITAN_HOME/secrets.key, or move secrets.enc away and set the secrets again',
  },
  // autonomy control plane (agent/autonomy)
  TITAN_E_GOAL_STATE: {
    status: 409,
    fix: 'a goal moves active <-> paused, active -> failed -> active, and ends completed, cancelled, abandoned or superseded; `titan goal show ID` shows where it is',
  },
  TITAN_E_PLAN_STATE: {
    status: 409,
    fix: 'a plan moves draft -> running -> succeeded | failed, a step pending -> running -> succeeded | failed; a finished plan changes only by a replan',
  },
  TITAN_E_PLAN_STEP_RUNNING: { status: 409, fix: 'wait for the running step to finish (or mark it failed), then replace the list' },
  TITAN_E_REPLAN_BUDGET: { status: 409, fix: "raise the goal's budget (`titan goal update ID --replan-budget N`) or start a new goal" },
  // sub-agent swarms of plan steps (agent/autonomy/swarm)
  TITAN_E_SUBAGENTS_INVALID: { status: 400, fix: 'give a swarm step 1 or more sub-agents, each with a title and a prompt (or a tool to watch)' },
  TITAN_E_SUBAGENTS_TOO_MANY: { status: 400, fix: 'split the work into fewer sub-agents, or raise swarm.maxAgents in config.json' },
  TITAN_E_SUBAGENT_GRANT: {
    status: 400,
    fix: 'grant only tools `titan tools` lists that run without approval (trust one with agent.trustedTools); goal tools cannot be granted',
  },
  TITAN_E_SUBAGENT_BUDGET: { status: 429, fix: "raise the step's tokenBudget (or swarm.tokenBudget), or give fewer or shorter sub-agents" },
  TITAN_E_SUBAGENT_TIMEOUT: { status: 504, fix: "raise the step's timeoutMs (or swarm.timeoutMs) if the work is legitimately long" },
  TITAN_E_SUBAGENT_FAILED: { status: 502, fix: "the sub-agent's model or tool failed; the message says which, and the other sub-agents' results were kept" },
  // MCP servers (agent/mcp) and Titan as an MCP server
  TITAN_E_MCP_CONFIG: {
    status: 400,
    fix: 'correct the server with `titan mcp add NAME -- COMMAND ARGS...` or `titan mcp add NAME URL`; `titan mcp list` shows what is configured',
  },
  TITAN_E_MCP_UNKNOWN_SERVER: { status: 404, fix: 'run `titan mcp list` for the configured MCP servers' },
  TITAN_E_MCP_UNAVAILABLE: { status: 503, fix: 'the server is being restarted with backoff; `titan mcp list` shows its state and last error' },
  TITAN_E_MCP_TIMEOUT: {
    status: 504,
    fix: 'the call was cancelled and the server restarted; raise its limit with `titan mcp add NAME ... --timeout MS` if the work is legitimately long',
  },
  TITAN_E_MCP_PROTOCOL: {
    status: 502,
    fix: 'the server broke the MCP protocol (malformed JSON-RPC, or it exited mid-call) and was restarted; if it repeats, fix or remove it (`titan mcp rm NAME`)',
  },
  TITAN_E_MCP_TOOL_ERROR: { status: 422 },
  TITAN_E_MCP_SECRET_MISSING: {
    status: 503,
    fix: "set the variable or secret named by the server's bearer setting (`titan mcp list` shows it), then `titan mcp add` it again or restart",
  },
  // sandbox jobs (agent/jobs)
  TITAN_E_DOCKER_UNAVAILABLE: {
    status: 503,
    fix: 'start the Docker engine (`dockerd`, or `systemctl start docker`) or point jobs.dockerSocket at it; `docker info` must answer',
  },
  TITAN_E_JOB_IMAGE_MISSING: {
    status: 424,
    fix: 'build the sandbox image with `scripts/sandbox-image.sh IMAGE` (needs apt-get and docker), or set jobs.image to an image `docker images` lists',
  },
  TITAN_E_JOB_INVALID: { status: 400, fix: 'give a command, and limits within the jobs section of the config (`titan job submit --help`)' },
  TITAN_E_JOB_STATE: {
    status: 409,
    fix: '`titan job show ID` gives its state: a finished job cannot be cancelled, and only a finished job exports complete files',
  },
  TITAN_E_JOB_OOM: { status: 507, fix: 'the container passed its memory limit: give the job more (--memory MB) or make it use less' },
  TITAN_E_JOB_TIMEOUT: { status: 504, fix: 'the job ran past its time limit and was stopped: give it more (--timeout S) if the work is legitimately long' },
  TITAN_E_JOB_EXIT: { status: 422, fix: '`titan job logs ID` shows what the command printed before it failed' },
  TITAN_E_JOB_LOST: { status: 500, fix: 'its container was gone when Titan came back (removed by hand, or the engine was reset): submit the job again' },
  TITAN_E_JOB_EXPORT_STALLED: { status: 504, fix: 'the export made no progress for too long (a stuck disk or reader) and was ended: retry it' },
  TITAN_E_JOB_EXPORT_CUT: { status: 502, fix: 'the tar stream ended before its end-of-archive: retry the export (nothing partial was kept)' },

  // agent jobs, swarms and jobs on mesh peers (agent/jobs/worker-*.ts, agent/jobs/swarm*.ts, mesh/job-runs.ts)
  TITAN_E_JOB_TOKEN: {
    status: 401,
    fix: "a job's worker token opens only its own job, and only while that job runs: a finished job's token is refused for good",
  },
  TITAN_E_JOB_LOOP: {
    status: 409,
    fix: 'the agent gave the same answer again and again and was stopped: reword the prompt or split the task (jobs.agentLoopRepeats sets how many repeats end it)',
  },
  TITAN_E_JOB_AGENT: {
    status: 422,
    fix: "`titan job logs ID` shows the worker's steps: the agent must finish with an answer within jobs.agentMaxSteps model calls",
  },
  TITAN_E_SWARM_INVALID: { status: 400, fix: 'give a task and a workspace that is a git repository with no uncommitted changes (`git status` is clean)' },
  TITAN_E_SWARM_PLAN: {
    status: 422,
    fix: 'the model did not split the task into parts Titan can run (JSON {"parts":[{"title","prompt"}]}): retry, or give fewer parts',
  },
  TITAN_E_SWARM_CONFLICT: {
    status: 409,
    fix: 'the parts changed the same lines: the merged branch holds every part that merged cleanly; merge the listed part branches by hand (`git merge BRANCH`)',
  },
  TITAN_E_MESH_NO_JOB_PEER: {
    status: 503,
    fix: 'no Docker engine here and no mesh peer advertises jobs: start Docker on this node, or a peer with Docker (jobs.docker on, its engine answering)',
  },

  // routines (agent/routines)
  TITAN_E_ROUTINE_CRON: {
    status: 400,
    fix: 'give five fields (minute hour day month weekday, e.g. "0 7 * * *" for 07:00 every day) or six with seconds first; nothing was changed',
  },
  TITAN_E_ROUTINE_TIMEZONE: { status: 400, fix: 'use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"' },
  TITAN_E_ROUTINE_INVALID: { status: 400, fix: '`titan routine add --help` lists the options; nothing was changed' },
  TITAN_E_ROUTINE_UNKNOWN: { status: 404, fix: 'run `titan routine list` for the routines by name and id' },
  TITAN_E_ROUTINE_EXISTS: { status: 409, fix: 'choose another name, or remove the old routine first (`titan routine rm NAME`)' },
  TITAN_E_ROUTINE_SECRET: {
    status: 401,
    fix: "send the routine's webhook secret (shown once by `titan routine add --webhook`) in the x-titan-routine-secret header",
  },
  TITAN_E_ROUTINE_NO_DOCKER: {
    status: 503,
    fix: 'a job routine runs in a Docker sandbox: start a Docker engine (dockerd) on this machine, or run Titan where one runs',
  },
  TITAN_E_ROUTINE_JOB: { status: 502, fix: "the job's log tail is in the run's error; `titan job logs ID` has all of it" },
  TITAN_E_ROUTINES_OFF: {
    status: 503,
    fix: 'the serving store predates routines: approve its newer version (`titan kernel patches`), then restart',
  },
  TITAN_E_ROUTINE_DELIVERY: {
    status: 502,
    fix: 'deliver to a running channel ("telegram", "telegram:<chat id>", "slack:<channel>") or a thread ("thread:<id>"); `titan pairing list` shows paired chats',
  },
  // self-optimising kernel: recorded calls, verified patches, canaries, JIT tools
  TITAN_E_REPLAY_DIVERGED: {
    status: 422,
    fix: 'the new version asks the host something the recorded call never did: declare the difference on the patch (--equivalent) or fix the version',
  },
  TITAN_E_PATCH_UNVERIFIED: {
    status: 409,
    fix: 'read the report (`titan kernel patches --show ID`); approve anyway only with an explicit override and a reason (--override "why")',
  },
  TITAN_E_CANARY_ROLLED_BACK: { status: 409, fix: 'the old version serves again; see the patch for the canary figures and fix the new version' },
  TITAN_E_JIT_CAPABILITY: { status: 403, fix: 'grant the capability to the JIT tool when running it, or rewrite the tool without it' },
  TITAN_E_JIT_FAILED: { status: 422, fix: 'the JIT tool threw or returned no JSON: fix its source' },
  TITAN_E_JIT_LIMIT: { status: 422, fix: 'the JIT tool ran past its time or memory limit and was stopped: make it do less, or raise the limit' },
  // self-optimising kernel (kernel/optimiser.ts, kernel/rewrite.ts)
  TITAN_E_REWRITE_FAILED: {
    status: 502,
    fix: 'the model gave no usable new version of the slow tool; the serving version is unchanged (the next pass may ask again)',
  },
  // code graph (agent/memory/code-graph)
  TITAN_E_CODE_ROOT: { status: 400, fix: 'index a directory that exists and this user can read, e.g. `titan code-graph index ./src`' },
  TITAN_E_CODE_QUERY: { status: 400, fix: 'name a symbol (e.g. `parse` or `Parser.parse`) or a file path of at most 512 characters; limits are 1-500' },
  TITAN_E_CODE_NOT_INDEXED: { status: 404, fix: 'run `titan code-graph index DIR` first; `titan code-graph status` lists what is indexed' },
  // code history from git (agent/memory/git-history.ts)
  TITAN_E_CODE_NO_GIT: { status: 404, fix: 'run Titan on a workspace inside a git repository (git init, commit) with git installed' },
  // memory index building on mesh peers (mesh/index-builds.ts, agent/memory/index-offload.ts)
  TITAN_E_MESH_INDEX_REJECTED: {
    status: 502,
    fix: 'nothing to do: those files were indexed on this node instead; check the peer named in the message (its embedder, or remove it with `titan mesh deny PEER`)',
  },
  // open slots: channel and provider components known by their manifests; generated components
  TITAN_E_PROVIDER_NOT_DEPLOYED: {
    status: 503,
    fix: 'publish and deploy the provider component (titan registry publish DIR, titan kernel propose provider/NAME, approve, deploy), or set <NAME>_BASE_URL',
  },
  TITAN_E_GENERATE_FAILED: {
    status: 422,
    fix: 'the model wrote no source that builds and passes its smoke test: describe the component more precisely, or write it yourself (titan new)',
  },

  // titan onboard (bin/onboard): nothing is written when one of these is raised
  TITAN_E_ONBOARD_PROVIDER: {
    status: 400,
    fix: 'pick one of openai, anthropic, ollama, scripted or openai-compatible (with --base-url), e.g. `titan onboard --provider ollama --yes`',
  },
  TITAN_E_ONBOARD_KEY_REFUSED: { status: 400, fix: 'give the key the provider issued for this account (piped with --api-key-stdin, or typed when asked)' },
  TITAN_E_ONBOARD_STORE: {
    status: 400,
    fix: 'start the PostgreSQL server and check the URL (postgres://user:password@host:port/db), or choose --store libsql',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class TitanError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, cause: string, options: { fix?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(cause, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TitanError';
    this.code = code;
    const spec: ErrorSpec = ERRORS[code];
    this.fix = options.fix ?? spec.fix;
    this.status = spec.status;
    this.details = options.details;
  }

  toJSON() {
    return { code: this.code, message: this.message, fix: this.fix, ...(this.details ? { details: this.details } : {}) };
  }
}

export function isTitanError(value: unknown, code?: ErrorCode): value is TitanError {
  return value instanceof TitanError && (code === undefined || value.code === code);
}

/** The text a person reads: "CODE: cause" and, on the next line, the fix. */
export function describeError(error: unknown): string {
  if (error instanceof TitanError) return `${error.code}: ${error.message}${error.fix ? `\n  fix: ${error.fix}` : ''}`;
  const message = error instanceof Error ? error.message : String(error);
  return `TITAN_E_INTERNAL: ${message}`;
}
