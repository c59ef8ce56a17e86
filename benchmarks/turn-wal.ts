// What one warm HTTP turn writes to libSQL's write-ahead log: bytes and pages (frames) per turn, a
// count the machine's load does not change, and CPU per turn beside it. A fresh home on libSQL,
// the real store and OpenAI provider, the scripted model (zero latency); the WAL only grows until
// the checkpointer's start size (4 MB), so the turns measured stay under it.
// TITAN_TURN_WAL_TURNS sets the turns measured (default 20). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/turn-wal.ts
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHECKPOINTS } from '../host-api/db/checkpointer.ts';
import { openHttpTurnBench } from './http-turn-bench.ts';
import { printMachine } from './setup.ts';
import { fmt, printTable, row, writeResult } from './stats.ts';

const TURNS = Number(process.env.TITAN_TURN_WAL_TURNS ?? 20);
const WARMUP = 5;
/** A WAL frame: a 24-byte header and one 4 KB page. */
const FRAME_BYTES = 24 + 4096;

printMachine();
const bench = await openHttpTurnBench();
const { home, turn } = bench;
const wal = path.join(home, 'titan.db-wal');
const walBytes = () => statSync(wal).size;

for (let i = 0; i < WARMUP; i++) await turn(i);
const walBefore = walBytes();
const cpuBefore = process.cpuUsage();
for (let i = 0; i < TURNS; i++) await turn(WARMUP + i);
const cpu = process.cpuUsage(cpuBefore);
const walAfter = walBytes();
// Past the start size the checkpointer may have reset the WAL: then the count would be wrong.
if (walAfter >= DEFAULT_CHECKPOINTS.startBytes || walAfter < walBefore)
  throw new Error(`the WAL was checkpointed during the run (${walBefore} -> ${walAfter} bytes): measure fewer turns`);
const bytesPerTurn = (walAfter - walBefore) / TURNS;
const cpuPerTurn = (cpu.user + cpu.system) / 1000 / TURNS;
const load1 = os.loadavg()[0];

printTable(
  `One warm HTTP turn's WAL writes (libSQL, ${TURNS} turns after ${WARMUP}, load ${fmt(load1)})`,
  ['figure', 'per turn'],
  [
    ['WAL bytes', fmt(bytesPerTurn / 1024), 'KB'],
    ['WAL pages (frames)', fmt(bytesPerTurn / FRAME_BYTES)],
    ['CPU (gateway, agent, client)', fmt(cpuPerTurn), 'ms'],
  ].map(([name, value, unit = '']) => [name, `${value} ${unit}`.trim()]),
);
await writeResult(
  'turn-wal',
  [row('WAL bytes per turn', bytesPerTurn, 'B'), row('WAL pages per turn', bytesPerTurn / FRAME_BYTES, 'pages'), row('CPU per turn', cpuPerTurn, 'ms')],
  {
    turns: TURNS,
    load1,
  },
);

await bench.close();
