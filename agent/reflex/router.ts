// The fast path of a turn, before the model: the deployed reflexes first (a reflex is asked only
// when the prompt holds every core topic word of its pattern, a check of microseconds), above the
// confidence threshold the best one executes in its worker; then the shadow cache. A reflex that
// throws or passes its time limit is a miss, and the model answers.
//
// match is pure and deterministic: a reflex component is the runtime (components/reflexes/
// runtime.js) plus its spec, and the same runtime runs the same spec here, on the host, in about
// 20 µs instead of a worker round trip of about 0.5 ms. Only while the slot serves exactly the
// record's version; otherwise (a newer version compiled but not yet deployed) the component's
// own match is asked. execute likewise, when the component is the standard generated source
// (`onHost`): the host runs the runtime's execute with the tools reached through the kernel's
// tool service, as the component's titan:host/tools import reaches them, so no worker thread
// waits on a tool call (4 reflexes at once on 2 threads had to queue). Otherwise, and for a
// reflex whose source was generated otherwise, execute runs in the isolated component.
import { createReflex, executeOnHost, requiredWords, words, type ReflexExport } from '../../components/reflexes/runtime.js';
import type { Kernel } from '../../kernel/kernel.ts';
import type { AnswerTimings } from './answer-timings.ts';
import type { ReflexRecord } from './records.ts';

export type FastAnswer = {
  /** onboarding: Titan's own questions to a new user (agent/onboarding). */
  source: 'reflex' | 'shadow' | 'onboarding';
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

/** What the router keeps of one reflex for one kernel: its version's required words and host copy. */
type Kept = { version: string | null; required?: string[]; matcher?: ReflexExport };

/** Each kernel's, by reflex name (kept with the kernel: two kernels in a process share none, and a
 * closed kernel's go with it); a reflex's newer version replaces what its older one left. */
const keptOf = new WeakMap<Kernel, Map<string, Kept>>();

function kept(kernel: Kernel, record: ReflexRecord): Kept {
  let byName = keptOf.get(kernel);
  if (!byName) {
    byName = new Map();
    keptOf.set(kernel, byName);
  }
  const entry = byName.get(record.name);
  if (entry?.version === record.version) return entry;
  const fresh: Kept = { version: record.version };
  byName.set(record.name, fresh);
  return fresh;
}

/** The words a prompt must hold for the reflex to be asked (its core words as the runtime reads them). */
function mustHave(kernel: Kernel, record: ReflexRecord): string[] {
  const entry = kept(kernel, record);
  entry.required ??= requiredWords(record.spec);
  return entry.required;
}

function hostMatcher(kernel: Kernel, record: ReflexRecord): ReflexExport | undefined {
  if (kernel.serving('reflex', record.name)?.version !== record.version) return undefined;
  const entry = kept(kernel, record);
  // Tools are never called through this copy: only its match is used.
  entry.matcher ??= createReflex(record.spec, () => {
    throw new Error('the host-side copy of a reflex only matches');
  });
  return entry.matcher;
}

/**
 * Makes a serving reflex's host copy and asks it its own example, so the first request it answers
 * pays neither; false when the host does not serve it (another version than the record's serves).
 */
export function warmOnHost(kernel: Kernel, record: ReflexRecord): boolean {
  const matcher = hostMatcher(kernel, record);
  if (!matcher) return false;
  mustHave(kernel, record);
  matcher.match(record.example);
  return true;
}

/** Whether the kernel holds the record's host copy (warmed, or asked by a request). */
export function hasHostCopy(kernel: Kernel, record: ReflexRecord): boolean {
  const entry = keptOf.get(kernel)?.get(record.name);
  return entry?.version === record.version && entry.matcher !== undefined;
}

/** The serving reflexes' best answer to a prompt, or why the one that matched failed. */
export async function askReflexes(
  kernel: Kernel,
  serving: ReflexRecord[],
  prompt: string,
  threshold: number,
  onHost = false,
  timings?: AnswerTimings,
): Promise<RouteOutcome> {
  if (serving.length === 0) return { kind: 'none' };
  const began = performance.now();
  const present = new Set(words(prompt).map((t) => t.w));
  const candidates = serving.filter((r) => mustHave(kernel, r).every((w) => present.has(w)));
  let best: { record: ReflexRecord; match: NonNullable<Match> } | undefined;
  const plans = new Set<string>();
  for (const record of candidates) {
    let match: Match;
    try {
      const matcher = hostMatcher(kernel, record);
      match = matcher ? matcher.match(prompt) : ((await kernel.call('reflex', record.name, 'match', [prompt])) as Match);
    } catch (error) {
      return { kind: 'miss', record, why: `match failed: ${(error as Error).message}` };
    }
    if (!match || match.confidence < threshold) continue;
    plans.add(JSON.stringify(record.spec.calls));
    if (!best || match.confidence > best.match.confidence) best = { record, match };
  }
  // Two reflexes with different plans both sure of one prompt ("price of X": a stock or a coin): neither answers.
  if (!best || plans.size > 1) return { kind: 'none' };
  const executing = performance.now();
  if (timings) timings.parts.match = executing - began;
  try {
    const text =
      onHost && hostMatcher(kernel, best.record)
        ? await executeHere(kernel, best.record, best.match.slotsJson, timings)
        : await executeThere(kernel, best.record, best.match.slotsJson);
    if (timings) {
      const total = performance.now() - executing;
      // executed in the component: its tool calls are not seen from here, the whole counts as tools.
      timings.parts.tools ??= total;
      timings.parts['inputs and render'] = total - timings.parts.tools;
    }
    return { kind: 'hit', record: best.record, text, confidence: best.match.confidence };
  } catch (error) {
    return { kind: 'miss', record: best.record, why: (error as Error).message };
  }
}

function executeThere(kernel: Kernel, record: ReflexRecord, slotsJson: string): Promise<string> {
  return kernel.call('reflex', record.name, 'execute', [slotsJson]) as Promise<string>;
}

async function executeHere(kernel: Kernel, record: ReflexRecord, slotsJson: string, timings?: AnswerTimings): Promise<string> {
  const tools = kernel.services.tools;
  if (!tools) throw new Error('TITAN_E_SLOT_EMPTY: this kernel runs no tools');
  const identity = { kind: 'reflex', name: record.name, version: record.version ?? '', digest: '' };
  try {
    const invoke = (name: string, input: string) => tools.invoke(identity, undefined, name, input);
    if (!timings) return await executeOnHost(record.spec, slotsJson, invoke);
    timings.parts.tools = 0;
    return await executeOnHost(record.spec, slotsJson, async (name: string, input: string) => {
      const started = performance.now();
      try {
        return await invoke(name, input);
      } finally {
        timings.parts.tools = (timings.parts.tools ?? 0) + performance.now() - started;
      }
    });
  } catch (error) {
    // The runtime throws its reasons as text, as the component's guest does.
    throw typeof error === 'string' ? new Error(error) : error;
  }
}
