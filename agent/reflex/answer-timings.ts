// How long each part of a reflex answer took, for whoever subscribes to the diagnostics channel
// "titan:reflex.answer" (the reflex benchmark): with no subscriber nothing is timed or sent. The
// fast path sends its parts when a reflex answered, the turn its own once the answer is stored;
// both carry the turn's id.
import { channel } from 'node:diagnostics_channel';

export type AnswerTimings = {
  turnId: string;
  /** The fast path's parts (agent/reflex): matching every candidate reflex (slot extraction
   * included), its tool calls (waited for, one after another), the tool inputs and the rendered
   * answer, and the service's bookkeeping after the hit. The turn's: the answer's events on the
   * bus, and its store write (one transaction). ms each. */
  parts: Partial<Record<AnswerPart, number>>;
};

export type AnswerPart = 'match' | 'tools' | 'inputs and render' | 'after the hit' | 'events' | 'store';

export const answerTimings = channel('titan:reflex.answer');

/** A record to fill while answering, when someone listens. */
export function timingsFor(turnId: string): AnswerTimings | undefined {
  return answerTimings.hasSubscribers ? { turnId, parts: {} } : undefined;
}
