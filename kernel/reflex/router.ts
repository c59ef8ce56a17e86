// The fast path of a turn, before the model: the deployed reflexes first (a reflex is asked only
// when the prompt holds every core word of its pattern, a check of microseconds; then its match
// runs in its worker), above the confidence threshold the best one executes; then the shadow
// cache. A reflex that throws or passes its time limit is a miss, and the model answers.
import { words } from '../../components/reflexes/runtime.js';
import type { Kernel } from '../kernel.ts';
import type { ReflexRecord } from './records.ts';

export type FastAnswer = {
  source: 'reflex' | 'shadow';
  text: string;
  /** reflex/<name>@<version> or shadow; stored with the message. */
  marker: string;
  reflex?: { name: string; version: string; confidence: number };
};

/** What the fast path tells the turn: an answer, and lines saying why a reflex did not answer. */
export type FastResult = { answer?: FastAnswer; notes: string[] };

export type RouteOutcome =
  | { kind: 'hit'; record: ReflexRecord; text: string; confidence: number }
  | { kind: 'miss'; record: ReflexRecord; why: string }
  | { kind: 'none' };

type Match = { confidence: number; slotsJson: string } | null | undefined;

/** The serving reflexes' best answer to a prompt, or why the one that matched failed. */
export async function askReflexes(kernel: Kernel, serving: ReflexRecord[], prompt: string, threshold: number): Promise<RouteOutcome> {
  if (serving.length === 0) return { kind: 'none' };
  const present = new Set(words(prompt).map((t) => t.w));
  const candidates = serving.filter((r) => r.spec.core.every((w) => present.has(w)));
  let best: { record: ReflexRecord; match: NonNullable<Match> } | undefined;
  for (const record of candidates) {
    let match: Match;
    try {
      match = (await kernel.call('reflex', record.name, 'match', [prompt])) as Match;
    } catch (error) {
      return { kind: 'miss', record, why: `match failed: ${(error as Error).message}` };
    }
    if (match && match.confidence >= threshold && (!best || match.confidence > best.match.confidence)) best = { record, match };
  }
  if (!best) return { kind: 'none' };
  try {
    const text = (await kernel.call('reflex', best.record.name, 'execute', [best.match.slotsJson])) as string;
    return { kind: 'hit', record: best.record, text, confidence: best.match.confidence };
  } catch (error) {
    return { kind: 'miss', record: best.record, why: (error as Error).message };
  }
}
