// The OpenClaw figures Titan's benchmarks are compared to: the ones benchmarks/openclaw.ts measured
// in this same `npm run bench` run when it could, otherwise the earlier session's, labelled as such.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fmt, RESULTS_DIR } from './stats.ts';

/** Set by benchmarks/run.ts for every benchmark it starts, so a result can say it is from this run. */
export const BENCH_RUN_ENV = 'TITAN_BENCH_RUN';

export type OpenClawFigures = {
  /** Where the figures come from, as printed beside them. */
  label: string;
  measuredNow: boolean;
  readyMs: number;
  rssIdleMb: number;
  turnP50Ms: number;
  turnP99Ms?: number;
  /** Its RSS at idle and after a run of turns: what Titan's soak, which must stay flat, is set beside. */
  growth: { idleMb: number; afterMb: number; turns: number };
};

/** The result file benchmarks/openclaw.ts writes (benchmarks/results/openclaw.json). */
export type OpenClawResult = {
  measured: boolean;
  run?: string;
  reason?: string;
  version?: string;
  loadAverage?: number[];
  readyMs?: number;
  rssIdleMb?: number;
  rssAfterTurnsMb?: number;
  turnsSent?: number;
  turn?: { p50: number; p99: number; n: number };
};

// OpenClaw 2026.9.6 on this machine in an earlier session (issue 14): same scripted model, same client.
const EARLIER: OpenClawFigures = {
  label: 'OpenClaw 2026.9.6, earlier session',
  measuredNow: false,
  readyMs: 30_000,
  rssIdleMb: 1_073,
  turnP50Ms: 419,
  // Its runs of 33 turns in another earlier session on this machine (load 24-29): 857 -> 1,285 and 1,009 -> 1,310 MB.
  growth: { idleMb: 1_009, afterMb: 1_310, turns: 33 },
};

/** What OpenClaw measured in this run (`run`, from run.ts), else the earlier session's figures. */
/** "OpenClaw ...: RSS 987 MB idle -> 1,466 MB after 34 turns (+14.1 MB per turn)". */
export function growthLine(figures: OpenClawFigures): string {
  const { idleMb, afterMb, turns } = figures.growth;
  const perTurn = (afterMb - idleMb) / turns;
  return `${figures.label}: RSS ${fmt(idleMb, 0)} MB idle -> ${fmt(afterMb, 0)} MB after ${turns} turns (${perTurn >= 0 ? '+' : ''}${fmt(perTurn)} MB per turn)`;
}

export function openClawFigures(file = path.join(RESULTS_DIR, 'openclaw.json'), run: string | undefined = process.env[BENCH_RUN_ENV]): OpenClawFigures {
  let result: OpenClawResult;
  try {
    result = JSON.parse(readFileSync(file, 'utf8')) as OpenClawResult;
  } catch {
    return EARLIER;
  }
  const complete = result.readyMs !== undefined && result.rssIdleMb !== undefined && result.turn !== undefined;
  if (!run || result.run !== run || !result.measured || !complete) return EARLIER;
  const load = result.loadAverage?.map((l) => l.toFixed(1)).join(' -> ') ?? '?';
  return {
    label: `OpenClaw ${result.version ?? ''}, measured now (load ${load})`,
    measuredNow: true,
    readyMs: result.readyMs as number,
    rssIdleMb: result.rssIdleMb as number,
    turnP50Ms: result.turn?.p50 as number,
    turnP99Ms: result.turn?.p99,
    growth: { idleMb: result.rssIdleMb as number, afterMb: result.rssAfterTurnsMb ?? NaN, turns: result.turnsSent ?? NaN },
  };
}
