// The OpenClaw figures Titan's benchmarks are compared to: the ones benchmarks/openclaw.ts measured
// in this same `npm run bench` run when it could, otherwise the earlier session's, labelled as such.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './stats.ts';

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
  turn?: { p50: number; p99: number; n: number };
};

// OpenClaw 2026.9.6 on this machine in an earlier session (issue 14): same scripted model, same client.
const EARLIER: OpenClawFigures = {
  label: 'OpenClaw 2026.9.6, earlier session',
  measuredNow: false,
  readyMs: 30_000,
  rssIdleMb: 1_073,
  turnP50Ms: 419,
};

/** What OpenClaw measured in this run (`run`, from run.ts), else the earlier session's figures. */
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
  };
}
