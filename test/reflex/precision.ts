// Precision and recall of mined reflexes on the committed sets (data/intents.json): the patterns
// mined from the training turns, run host-side by the same runtime the components embed, against
// held-out paraphrases (should be answered, correctly) and near misses (must not be answered).
import { createReflex, type ReflexExport } from '../../components/reflexes/runtime.js';
import type { Embedder } from '../../agent/reflex/embedder.ts';
import { minePatterns, type MinedPattern } from '../../agent/reflex/miner.ts';
import { heldOut, INTENTS, observedTurns, runTool } from './support.ts';

export type Measured = {
  patterns: MinedPattern[];
  answered: number;
  correct: number;
  wrong: string[];
  paraphrases: number;
  nearMisses: number;
  missed: string[];
};

export function reflexesOf(patterns: MinedPattern[]): ReflexExport[] {
  return patterns.filter((p) => !p.skipped).map((p) => createReflex({ ...p.spec, name: JSON.stringify(p.spec.calls), description: '' }, runTool));
}

/** The best answer of the reflexes at or above the threshold, or undefined. */
export function answer(reflexes: ReflexExport[], prompt: string, threshold: number): string | undefined {
  let best: { reflex: ReflexExport; confidence: number; slotsJson: string } | undefined;
  const plans = new Set<string>();
  for (const reflex of reflexes) {
    const match = reflex.match(prompt);
    if (!match || match.confidence < threshold) continue;
    // As the router: two reflexes with different plans (their names here) both sure of a prompt answer nothing.
    plans.add(reflex.describe().name);
    if (!best || match.confidence > best.confidence) best = { reflex, ...match };
  }
  if (!best || plans.size > 1) return undefined;
  try {
    return best.reflex.execute(best.slotsJson);
  } catch {
    return undefined;
  }
}

export async function measure(embedder: Embedder, options = { minSupport: 3, similarity: 0.5, threshold: 0.8 }): Promise<Measured> {
  const turns = INTENTS.flatMap((intent) => observedTurns(intent));
  const patterns = await minePatterns(turns, { embedder, minSupport: options.minSupport, similarity: options.similarity });
  const reflexes = reflexesOf(patterns);
  const result: Measured = { patterns, answered: 0, correct: 0, wrong: [], paraphrases: 0, nearMisses: 0, missed: [] };
  for (const intent of INTENTS) {
    for (const item of heldOut(intent)) {
      const got = answer(reflexes, item.prompt, options.threshold);
      if (item.expected !== undefined) result.paraphrases++;
      else result.nearMisses++;
      if (got === undefined) {
        if (item.expected !== undefined) result.missed.push(item.prompt);
        continue;
      }
      result.answered++;
      if (got === item.expected) result.correct++;
      else result.wrong.push(`${item.prompt} -> ${got}`);
    }
  }
  return result;
}
