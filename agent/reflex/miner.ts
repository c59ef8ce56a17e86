// Pattern mining: completed turns in, recurring requests out. Runs in the background only.
//
// 1. Slots from the plan: a tool argument whose value is a span of the prompt ("Berlin" in "what's
//    the weather like in Berlin?" and {"city":"Berlin"}) is a slot; every other argument must be
//    the same in every turn of a pattern (it is part of the plan's signature).
// 2. Turns with the same plan signature are clustered by the cosine similarity of their prompts'
//    skeletons (slots masked) in embedding space: paraphrases land together, other intents apart.
// 3. Turns without tools: the words every prompt of a cluster shares are the frame, the one run
//    of other words (present in the answer) is the slot.
// 4. The answer template: slot values and tool-result values found in the final answer become
//    placeholders, the rest is literal text. The template most turns agree on wins; those turns
//    are the pattern's provenance, and the pattern is eligible once they are `minSupport` or more.
import { sha256 } from '../../common/digest.ts';
import { CONTRAST, words, type AnswerPart, type ReflexSpec, type SlotForm, type SlotSource } from '../../components/reflexes/runtime.js';
import { cosine, normalise, type Embedder, type Vector } from './embedder.ts';

export type ObservedCall = { tool: string; args: Record<string, unknown>; result: string };
export type ObservedTurn = { turnId: string; prompt: string; calls: ObservedCall[]; answer: string };

export type MinedPattern = {
  key: string;
  spec: Omit<ReflexSpec, 'name' | 'description'>;
  tools: string[];
  /** The mean skeleton embedding: the router asks a reflex only when a prompt is near it. */
  centroid: Vector;
  support: number;
  /** Why a cluster that recurs is not (yet) a pattern, for `titan reflex` and the log. */
  skipped?: string;
};

export type MinerOptions = { embedder: Embedder; minSupport: number; similarity: number };

const FORMS: SlotForm[] = ['same', 'title', 'lower', 'upper'];

export function applyForm(value: string, form: SlotForm): string {
  if (form === 'lower') return value.toLowerCase();
  if (form === 'upper') return value.toUpperCase();
  if (form === 'title') return value.toLowerCase().replace(/(^|[\s\-'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
  return value;
}

function formOf(shown: string, value: string): SlotForm | undefined {
  return FORMS.find((form) => applyForm(shown, form) === value);
}

type Prepared = {
  turn: ObservedTurn;
  tokens: ReturnType<typeof words>;
  signature: string;
  /** Slot name -> the prompt's span (as typed) and its word range. */
  slots: Map<string, { text: string; from: number; to: number }>;
  callSpecs: Array<{ tool: string; args: Record<string, SlotSource> }>;
  skeleton: string[];
};

/** Finds a value among the prompt's words: the word range whose text equals it (any case). */
function findSpan(prompt: string, tokens: ReturnType<typeof words>, value: string): { text: string; from: number; to: number } | undefined {
  const wanted = words(value).map((t) => t.w).join(' ');
  if (!wanted) return undefined;
  const n = wanted.split(' ').length;
  for (let i = 0; i + n <= tokens.length; i++) {
    if (tokens.slice(i, i + n).map((t) => t.w).join(' ') === wanted) {
      return { text: prompt.slice(tokens[i].start, tokens[i + n - 1].end), from: i, to: i + n };
    }
  }
  return undefined;
}

/** Tool arguments ("tool.key") that take more than one value across the turns: only those can be slots. */
function varyingArguments(turns: ObservedTurn[]): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const turn of turns) {
    for (const call of turn.calls) {
      for (const [key, value] of Object.entries(call.args)) {
        const id = `${call.tool}.${key}`;
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)!.add(JSON.stringify(value));
      }
    }
  }
  return new Set([...seen].filter(([, values]) => values.size > 1).map(([id]) => id));
}

function prepare(turn: ObservedTurn, varying: Set<string>): Prepared | undefined {
  const tokens = words(turn.prompt);
  if (tokens.length === 0 || turn.answer.trim() === '') return undefined;
  const slots = new Map<string, { text: string; from: number; to: number }>();
  const callSpecs: Prepared['callSpecs'] = [];
  const signature: string[] = [];
  for (const call of turn.calls) {
    const args: Record<string, SlotSource> = {};
    const parts: string[] = [];
    for (const key of Object.keys(call.args).sort()) {
      const value = call.args[key];
      const slotLike = varying.has(`${call.tool}.${key}`) && (typeof value === 'string' || typeof value === 'number');
      const span = slotLike ? findSpan(turn.prompt, tokens, String(value)) : undefined;
      const form = span && typeof value === 'string' ? formOf(span.text, value) : undefined;
      const overlaps = span && [...slots.values()].some((s) => span.from < s.to && s.from < span.to);
      if (span && form && !overlaps && !tokens.slice(span.from, span.to).some((t) => CONTRAST.includes(t.w))) {
        const name = slots.has(key) ? `${key}${slots.size + 1}` : key;
        slots.set(name, span);
        args[key] = { slot: name, form };
        parts.push(`${key}=*`);
      } else {
        args[key] = { value };
        parts.push(`${key}=${JSON.stringify(value)}`);
      }
    }
    callSpecs.push({ tool: call.tool, args });
    signature.push(`${call.tool}(${parts.join(',')})`);
  }
  return { turn, tokens, signature: signature.join('>') || 'answer', slots, callSpecs, skeleton: skeletonOf(tokens, slots) };
}

function skeletonOf(tokens: ReturnType<typeof words>, slots: Map<string, { from: number; to: number }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const slot = [...slots.entries()].find(([, s]) => s.from === i);
    if (slot) {
      out.push(`{${slot[0]}}`);
      i = slot[1].to - 1;
    } else out.push(tokens[i].w);
  }
  return out;
}

/** Turns without tools: the one run of words not shared by every prompt becomes the slot "text". */
function frameSlots(group: Prepared[]): boolean {
  // biome-ignore lint/performance/noAccumulatingSpread: each step builds a fresh, smaller set; nothing accumulates
  const common = group.map((p) => new Set(p.tokens.map((t) => t.w))).reduce((a, b) => new Set([...a].filter((w) => b.has(w))));
  for (const p of group) {
    const runs: Array<{ from: number; to: number }> = [];
    p.tokens.forEach((t, i) => {
      if (common.has(t.w)) return;
      const last = runs.at(-1);
      if (last && last.to === i) last.to = i + 1;
      else runs.push({ from: i, to: i + 1 });
    });
    if (runs.length > 1) return false;
    if (runs.length === 1) {
      const span = { text: p.turn.prompt.slice(p.tokens[runs[0].from].start, p.tokens[runs[0].to - 1].end), ...runs[0] };
      if (!p.turn.answer.toLowerCase().includes(span.text.toLowerCase())) return false;
      p.slots.set('text', span);
      p.skeleton = skeletonOf(p.tokens, p.slots);
    }
  }
  const slotted = group.filter((p) => p.slots.size > 0).length;
  return slotted === 0 || slotted === group.length;
}

function leaves(value: unknown, path: Array<string | number> = [], out: Array<{ path: Array<string | number>; text: string }> = []) {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (text.trim().length > 0) out.push({ path, text });
  } else if (Array.isArray(value)) value.forEach((v, i) => {
      leaves(v, [...path, i], out);
    });
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The answer as literal text and placeholders for the slot values and tool-result values in it. */
export function answerTemplate(p: Prepared): AnswerPart[] {
  type Candidate = { text: string; part: AnswerPart; rank: number };
  const candidates: Candidate[] = [];
  for (const [name, span] of p.slots) {
    for (const form of FORMS) candidates.push({ text: applyForm(span.text, form), part: { slot: name, form }, rank: 0 });
  }
  p.turn.calls.forEach((call, index) => {
    let parsed: unknown = call.result;
    try {
      parsed = JSON.parse(call.result);
    } catch {
      // plain text result: the whole text is one value
    }
    for (const leaf of leaves(parsed)) candidates.push({ text: leaf.text, part: { call: index, path: leaf.path }, rank: 1 });
  });
  const found: Array<{ start: number; end: number; part: AnswerPart; rank: number }> = [];
  for (const c of candidates) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(c.text)}(?![\\p{L}\\p{N}])`, 'gu');
    for (const m of p.turn.answer.matchAll(pattern)) found.push({ start: m.index, end: m.index + m[0].length, part: c.part, rank: c.rank });
  }
  // Earliest first; at one place the longest value, then slots before results.
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.rank - b.rank);
  const parts: AnswerPart[] = [];
  let at = 0;
  for (const f of found) {
    if (f.start < at) continue;
    if (f.start > at) parts.push({ text: p.turn.answer.slice(at, f.start) });
    parts.push(f.part);
    at = f.end;
  }
  if (at < p.turn.answer.length) parts.push({ text: p.turn.answer.slice(at) });
  return parts;
}

/** Greedy clustering on cosine similarity to each cluster's running mean. */
function cluster(vectors: Vector[], threshold: number): number[][] {
  const clusters: Array<{ members: number[]; sum: Float32Array }> = [];
  vectors.forEach((v, i) => {
    let best = -1;
    let bestScore = threshold;
    clusters.forEach((c, k) => {
      const score = cosine(v, normalise(Float32Array.from(c.sum)));
      if (score >= bestScore) {
        best = k;
        bestScore = score;
      }
    });
    if (best < 0) clusters.push({ members: [i], sum: Float32Array.from(v) });
    else {
      clusters[best].members.push(i);
      for (let d = 0; d < v.length; d++) clusters[best].sum[d] += v[d];
    }
  });
  return clusters.map((c) => c.members);
}

function mean(vectors: Vector[]): Vector {
  const sum = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let d = 0; d < v.length; d++) sum[d] += v[d];
  return normalise(sum);
}

/** The recurring patterns among the turns (clusters of at least minSupport turns). */
export async function minePatterns(turns: ObservedTurn[], options: MinerOptions): Promise<MinedPattern[]> {
  const varying = varyingArguments(turns);
  const prepared = turns.map((t) => prepare(t, varying)).filter((p): p is Prepared => p !== undefined);
  const bySignature = new Map<string, Prepared[]>();
  for (const p of prepared) bySignature.set(p.signature, [...(bySignature.get(p.signature) ?? []), p]);
  const patterns: MinedPattern[] = [];
  for (const [signature, group] of bySignature) {
    if (group.length < options.minSupport) continue;
    const vectors = await options.embedder.embed(group.map((p) => p.skeleton.join(' ')));
    for (const members of cluster(vectors, options.similarity)) {
      if (members.length < options.minSupport) continue;
      const pattern = compilePattern(signature, members.map((i) => group[i]), options.minSupport);
      patterns.push({ ...pattern, centroid: mean(members.map((i) => vectors[i])) });
    }
  }
  return patterns;
}

function compilePattern(signature: string, members: Prepared[], minSupport: number): Omit<MinedPattern, 'centroid'> {
  const tools = [...new Set(members[0].callSpecs.map((c) => c.tool))];
  const base = { tools, support: members.length };
  const empty = { slots: [], templates: [], core: [], vocab: [], maxSlotWords: 0, calls: [], answer: [], examples: [], provenance: { turns: [], key: '' } };
  const skip = (why: string) => ({ ...base, key: sha256(signature).slice(0, 16), spec: empty, skipped: why });
  if (signature === 'answer' && !frameSlots(members)) return skip('the prompts differ in more than one place');
  // Every turn must name the same slots (a slot missing from one turn's prompt came from elsewhere).
  const slotNames = [...members[0].slots.keys()].sort();
  if (members.some((m) => [...m.slots.keys()].sort().join() !== slotNames.join())) return skip('the slots differ between turns');
  // Majority answer template; its turns are the provenance.
  const byTemplate = new Map<string, Prepared[]>();
  for (const m of members) {
    const key = JSON.stringify(answerTemplate(m));
    byTemplate.set(key, [...(byTemplate.get(key) ?? []), m]);
  }
  const [answerKey, agreeing] = [...byTemplate.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  if (agreeing.length < minSupport) return skip(`the answers agree on one form in only ${agreeing.length} turns`);
  const answer = JSON.parse(answerKey) as AnswerPart[];
  if (slotNames.length > 0 && !answer.some((p) => 'slot' in p || 'call' in p)) return skip('the answer does not depend on the request');
  const templates = [...new Map(agreeing.map((m) => [m.skeleton.join(' '), m.skeleton])).values()];
  if (templates.some((t) => t.some((w, i) => i > 0 && w.startsWith('{') && t[i - 1].startsWith('{')))) return skip('two slots touch, so their border is unknown');
  const literalSets = templates.map((t) => new Set(t.filter((w) => !w.startsWith('{'))));
  const core = [...literalSets[0]].filter((w) => literalSets.every((s) => s.has(w))).sort();
  if (core.length === 0) return skip('the phrasings share no word');
  const vocab = [...new Set(literalSets.flatMap((s) => [...s]))].sort();
  // One word more than seen: "New York" after only one-word cities.
  const maxSlotWords = 1 + Math.max(1, ...agreeing.flatMap((m) => [...m.slots.values()].map((s) => s.to - s.from)));
  const key = sha256(signature, core.join(' ')).slice(0, 16);
  const spec: MinedPattern['spec'] = {
    slots: slotNames,
    templates,
    core,
    vocab,
    maxSlotWords,
    calls: agreeing[0].callSpecs,
    answer,
    examples: agreeing.map((m) => ({ prompt: m.turn.prompt, slots: Object.fromEntries([...m.slots].map(([k, s]) => [k, s.text])) })),
    provenance: { turns: agreeing.map((m) => m.turn.turnId), key },
  };
  return { ...base, key, spec, support: agreeing.length };
}
