// The precision guard, run on a built reflex before it may be deployed: it must reproduce the
// answer of every turn it was compiled from (with those turns' recorded tool results replayed, so
// the check is exact and runs no tool), and it must refuse near misses generated from its source
// prompts (near-misses.ts: another verb, another object, the negation turned, another tense or
// time, a compound request, the prompt without its value; never the prompt itself).
import { randomUUID } from 'node:crypto';
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { Deployment } from '../../kernel/deployment.ts';
import type { ObservedTurn } from './miner.ts';
import { nearMisses } from './near-misses.ts';

export { nearMisses };

export type GuardReport = { ok: boolean; reasons: string[]; reproduced: number; nearMisses: string[]; refused: number };

/** Replays recorded tool results for the calls a reflex makes under one call id; returns the undo. */
export type Replay = (callId: string, results: Array<{ tool: string; result: string }>) => () => void;

type Match = { confidence: number; slotsJson: string } | null | undefined;

export async function guardReflex(deployment: Deployment, spec: ReflexSpec, sources: ObservedTurn[], threshold: number, replay: Replay): Promise<GuardReport> {
  const reasons: string[] = [];
  let reproduced = 0;
  for (const turn of sources) {
    const match = (await deployment.call('match', [turn.prompt])) as Match;
    if (!match || match.confidence < threshold) {
      reasons.push(`does not answer its source prompt "${turn.prompt}" (confidence ${match?.confidence ?? 0})`);
      continue;
    }
    const callId = `reflex-guard/${randomUUID()}`;
    const undo = replay(
      callId,
      turn.calls.map((c) => ({ tool: c.tool, result: c.result })),
    );
    try {
      const answer = (await deployment.call('execute', [match.slotsJson], { callId })) as string;
      if (answer === turn.answer) reproduced++;
      else reasons.push(`answers "${answer}" to "${turn.prompt}", where the model answered "${turn.answer}"`);
    } catch (error) {
      reasons.push(`fails on "${turn.prompt}": ${(error as Error).message}`);
    } finally {
      undo();
    }
  }
  const misses = nearMisses(spec);
  let refused = 0;
  for (const prompt of misses) {
    const match = (await deployment.call('match', [prompt])) as Match;
    if (match && match.confidence >= threshold) reasons.push(`answers the near miss "${prompt}" (confidence ${match.confidence})`);
    else refused++;
  }
  return { ok: reasons.length === 0, reasons, reproduced, nearMisses: misses, refused };
}
