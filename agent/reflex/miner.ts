// Pattern mining: completed turns in, recurring requests out. Runs in the background only.
//
// 1. Slots from the plan: a tool argument whose value is a span of the prompt ("Berlin" in "what's
//    the weather like in Berlin?" and {"city":"Berlin"}) is a slot; every other argument must be
//    the same in every turn of a pattern (it is part of the plan's signature), but for a yes-or-no
//    argument that varies: a flag whose value the wording says (flag-cues.ts).
// 2. Turns with the same plan signature are split by the form of their answers (the answer
//    template below): one intent answers in one form however its requests are worded, and two
//    intents served by one tool ("how many words in X", "how big is X") answer in two. Correct
//    reuse is a property of the answer, not of the prompt's words. Turns without tools have no
//    form before their frame is known: they are clustered by the cosine similarity of their
//    prompts' skeletons (slots masked) in embedding space.
// 3. Turns without tools: the words every prompt of a cluster shares are the frame, the one run
//    of other words (present in the answer) is the slot.
// 4. The answer template (answer-template.ts): slot values, tool-result values, list lengths and
//    whole lists found in the final answer become bound parts, the rest is literal text. The
//    template most turns agree on wins if it gives each of them exactly from its own tool results
//    and no other turn contradicts it; those turns are the pattern's provenance, and the pattern
//    is eligible once they are `minSupport` or more.
import { sha256 } from '../../common/digest.ts';
import { CONTRAST, FILLERS, readSpec, shapeOf, words, type AnswerPart, type ReflexSpec, type SlotSource } from '../../components/reflexes/runtime.js';
import { sensesFor } from './senses.ts';
import { answerTemplate, explains, literalKey, mergeTemplates, parseResults, structureKey, templateKey, type TemplateInput } from './answer-template.ts';
import { fixedFlags, fixFlags, flagCues, hasFlags, omittedFlags } from './flag-cues.ts';
import { formOf } from './slot-forms.ts';
import { sampleExamples } from './example-sample.ts';
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

export type MinerOptions = {
  embedder: Embedder;
  minSupport: number;
  similarity: number;
  /** The tools' input schemas by tool name: an argument with an enum there becomes a slot limited to it. */
  schemas?: Record<string, Record<string, unknown>>;
};

/** The values a tool's schema allows for one argument, when it lists them (all strings, or all numbers). */
function enumOf(schema: Record<string, unknown> | undefined, key: string): string[] | number[] | undefined {
  const property = (schema?.properties as Record<string, { enum?: unknown }> | undefined)?.[key];
  const values = property?.enum;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  if (values.every((v) => typeof v === 'string')) return values as string[];
  return values.every((v) => typeof v === 'number') ? (values as number[]) : undefined;
}

/** The JSON schema type of a number argument ("integer": no decimal part), when the tool's schema gives one. */
function numberType(schema: Record<string, unknown> | undefined, key: string): 'integer' | 'number' | undefined {
  const type = (schema?.properties as Record<string, { type?: unknown }> | undefined)?.[key]?.type;
  return type === 'integer' || type === 'number' ? type : undefined;
}

type Prepared = {
  turn: ObservedTurn;
  tokens: ReturnType<typeof words>;
  signature: string;
  /** Slot name -> the prompt's span (as typed) and its word range. */
  slots: Map<string, { text: string; from: number; to: number }>;
  /** Yes-or-no arguments that vary between turns -> this turn's value (the wording says which: flagCues). */
  flags: Map<string, boolean>;
  /** The flags this turn's calls said false by leaving them out. */
  omittedFlags: Set<string>;
  callSpecs: Array<{ tool: string; args: Record<string, SlotSource> }>;
  skeleton: string[];
};

/** Finds a value among the prompt's words: the word range whose text equals it (any case). */
function findSpan(prompt: string, tokens: ReturnType<typeof words>, value: string): { text: string; from: number; to: number } | undefined {
  const wanted = words(value)
    .map((t) => t.w)
    .join(' ');
  if (!wanted) return undefined;
  const n = wanted.split(' ').length;
  for (let i = 0; i + n <= tokens.length; i++) {
    if (
      tokens
        .slice(i, i + n)
        .map((t) => t.w)
        .join(' ') === wanted
    ) {
      return { text: prompt.slice(tokens[i].start, tokens[i + n - 1].end), from: i, to: i + n };
    }
  }
  return undefined;
}

/**
 * Yes-or-no arguments by tool ("notes" -> includeArchived): a call of that tool without one said
 * false by leaving it out (`{}` and `{"includeArchived": false}` are one plan).
 */
function booleanArguments(turns: ObservedTurn[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const call of turns.flatMap((t) => t.calls))
    for (const [key, value] of Object.entries(call.args)) if (typeof value === 'boolean') found.set(call.tool, (found.get(call.tool) ?? new Set()).add(key));
  return found;
}

/** A call's arguments with each yes-or-no argument it left out written as false (`omitted` names them). */
function withBooleans(call: ObservedCall, booleans: Map<string, Set<string>>): { args: Record<string, unknown>; omitted: Set<string> } {
  const args = { ...call.args };
  const omitted = new Set<string>();
  for (const key of booleans.get(call.tool) ?? []) {
    if (key in args) continue;
    args[key] = false;
    omitted.add(key);
  }
  return { args, omitted };
}

/** Tool arguments ("tool.key") that take more than one value across the turns: only those can be slots. */
function varyingArguments(turns: ObservedTurn[], booleans: Map<string, Set<string>>): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const turn of turns) {
    for (const call of turn.calls) {
      for (const [key, value] of Object.entries(withBooleans(call, booleans).args)) {
        const id = `${call.tool}.${key}`;
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)!.add(JSON.stringify(value));
      }
    }
  }
  return new Set([...seen].filter(([, values]) => values.size > 1).map(([id]) => id));
}

function prepare(turn: ObservedTurn, varying: Set<string>, booleans: Map<string, Set<string>>, schemas: MinerOptions['schemas']): Prepared | undefined {
  const tokens = words(turn.prompt);
  if (tokens.length === 0 || turn.answer.trim() === '') return undefined;
  const slots = new Map<string, { text: string; from: number; to: number }>();
  const flags = new Map<string, boolean>();
  const omittedFlags = new Set<string>();
  const callSpecs: Prepared['callSpecs'] = [];
  const signature: string[] = [];
  for (const call of turn.calls) {
    const args: Record<string, SlotSource> = {};
    const parts: string[] = [];
    const { args: callArgs, omitted } = withBooleans(call, booleans);
    for (const key of Object.keys(callArgs).sort()) {
      const value = callArgs[key];
      if (typeof value === 'boolean' && varying.has(`${call.tool}.${key}`)) {
        const name = flags.has(key) ? `${key}${flags.size + 1}` : key;
        flags.set(name, value);
        if (omitted.has(key)) omittedFlags.add(name);
        args[key] = { flag: name };
        parts.push(`${key}=?`);
        continue;
      }
      // Left out, and false in every turn: the call leaves it out as the model did.
      if (omitted.has(key)) {
        parts.push(`${key}=false`);
        continue;
      }
      const slotLike = varying.has(`${call.tool}.${key}`) && (typeof value === 'string' || typeof value === 'number');
      const span = slotLike ? findSpan(turn.prompt, tokens, String(value)) : undefined;
      const isNumber = typeof value === 'number';
      const form = !span ? undefined : isNumber ? (Number(span.text.replace(/,/g, '')) === value ? 'same' : undefined) : formOf(span.text, value as string);
      const overlaps = span && [...slots.values()].some((s) => span.from < s.to && s.from < span.to);
      if (span && form && !overlaps && !tokens.slice(span.from, span.to).some((t) => CONTRAST.includes(t.w))) {
        const name = slots.has(key) ? `${key}${slots.size + 1}` : key;
        slots.set(name, span);
        const oneOf = enumOf(schemas?.[call.tool], key);
        // An enum of the other type than the value (numbers for a text) cannot hold it: no limit is read from it.
        const limit = oneOf && typeof oneOf[0] === typeof value ? { oneOf } : {};
        const schema = numberType(schemas?.[call.tool], key);
        args[key] = isNumber ? { slot: name, form, type: 'number', ...(schema ? { schema } : {}), ...limit } : { slot: name, form, ...limit };
        parts.push(`${key}=*`);
      } else {
        args[key] = { value };
        parts.push(`${key}=${JSON.stringify(value)}`);
      }
    }
    callSpecs.push({ tool: call.tool, args });
    signature.push(`${call.tool}(${parts.join(',')})`);
  }
  return { turn, tokens, signature: signature.join('>') || 'answer', slots, flags, omittedFlags, callSpecs, skeleton: skeletonOf(tokens, slots) };
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

/**
 * Greedy clustering on cosine similarity to each cluster's running mean: the cosine to the mean is
 * the dot product with the members' sum over that sum's length, kept with the cluster (a mining run
 * over 1,000 turns copied and normalised the sum for every turn and cluster).
 */
function cluster(vectors: Vector[], threshold: number): number[][] {
  const clusters: Array<{ members: number[]; sum: Float32Array; length: number }> = [];
  vectors.forEach((v, i) => {
    let best = -1;
    let bestScore = threshold;
    clusters.forEach((c, k) => {
      const score = c.length > 0 ? cosine(v, c.sum) / c.length : 0;
      if (score >= bestScore) {
        best = k;
        bestScore = score;
      }
    });
    if (best < 0) clusters.push({ members: [i], sum: Float32Array.from(v), length: Math.sqrt(cosine(v, v)) });
    else {
      const c = clusters[best];
      c.members.push(i);
      for (let d = 0; d < v.length; d++) c.sum[d] += v[d];
      c.length = Math.sqrt(cosine(c.sum, c.sum));
    }
  });
  return clusters.map((c) => c.members);
}

/** One embedding per distinct text (a recurring request's skeletons are mostly the same words). */
async function embedDistinct(embedder: Embedder, texts: string[]): Promise<Vector[]> {
  const distinct = [...new Set(texts)];
  const vectors = await embedder.embed(distinct);
  const byText = new Map(distinct.map((text, i) => [text, vectors[i] as Vector]));
  return texts.map((text) => byText.get(text) as Vector);
}

/**
 * The turns of one plan by the form of their answers (indexes into the group). Answers that have
 * no form (a list written in part, a literal the results do not explain) are one group: it recurs
 * as often as they do, and is refused with its reason where `titan reflex` and the log show it.
 */
function byAnswerForm(group: Prepared[]): number[][] {
  const forms = new Map<string, number[]>();
  group.forEach((p, i) => {
    const t = answerTemplate(templateInput(p));
    const key = 'refused' in t ? 'refused' : templateKey(t.parts);
    forms.set(key, [...(forms.get(key) ?? []), i]);
  });
  return [...forms.values()];
}

function mean(vectors: Vector[]): Vector {
  const sum = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let d = 0; d < v.length; d++) sum[d] += v[d];
  return normalise(sum);
}

/** The recurring patterns among the turns (clusters of at least minSupport turns). */
export async function minePatterns(turns: ObservedTurn[], options: MinerOptions): Promise<MinedPattern[]> {
  const booleans = booleanArguments(turns);
  const varying = varyingArguments(turns, booleans);
  const prepared = turns.map((t) => prepare(t, varying, booleans, options.schemas)).filter((p): p is Prepared => p !== undefined);
  const bySignature = new Map<string, Prepared[]>();
  for (const p of prepared) bySignature.set(p.signature, [...(bySignature.get(p.signature) ?? []), p]);
  const patterns: MinedPattern[] = [];
  for (const [signature, group] of bySignature) {
    if (group.length < options.minSupport) continue;
    const vectors = await embedDistinct(
      options.embedder,
      group.map((p) => p.skeleton.join(' ')),
    );
    const clusters = signature === 'answer' ? cluster(vectors, options.similarity) : byAnswerForm(group);
    const recurring = clusters.filter((members) => members.length >= options.minSupport);
    // A plan that recurs with answers in no recurring form: compiled whole, so the reason it is
    // no reflex (its answers' forms disagree) is reported.
    if (recurring.length === 0 && signature !== 'answer') recurring.push(group.map((_, i) => i));
    for (const members of recurring) {
      const pattern = compilePattern(
        signature,
        members.map((i) => group[i]),
        options.minSupport,
        group,
      );
      patterns.push({ ...pattern, centroid: mean(members.map((i) => vectors[i])) });
    }
  }
  return uniqueKeys(patterns);
}

function templateInput(p: Prepared): TemplateInput {
  return { slots: new Map([...p.slots].map(([k, s]) => [k, s.text])), results: parseResults(p.turn.calls.map((c) => c.result)), answer: p.turn.answer };
}

/**
 * Two clusters with the same plan and core words would share a key (and so a reflex name): the
 * first keeps it, so a serving reflex is still found, each later one is told apart by its first turn.
 */
export function uniqueKeys(patterns: MinedPattern[]): MinedPattern[] {
  const seen = new Set<string>();
  return patterns.map((p) => {
    if (!seen.has(p.key)) {
      seen.add(p.key);
      return p;
    }
    const key = sha256(p.key, [...p.spec.provenance.turns].sort()[0] ?? String(seen.size)).slice(0, 16);
    seen.add(key);
    return { ...p, key, spec: { ...p.spec, provenance: { ...p.spec.provenance, key } } };
  });
}

/** One pattern from its members; every turn of the plan (`plan`) may contradict its answer template. */
function compilePattern(signature: string, members: Prepared[], minSupport: number, wholePlan: Prepared[]): Omit<MinedPattern, 'centroid'> {
  // A yes-or-no argument with one value in every member is a constant: only turns with it may contradict them.
  const plan = wholePlan.filter((p) => hasFlags(p, fixedFlags(members)));
  const tools = [...new Set(members[0].callSpecs.map((c) => c.tool))];
  const base = { tools, support: members.length };
  const empty = { slots: [], templates: [], core: [], vocab: [], maxSlotWords: 0, calls: [], answer: [], examples: [], provenance: { turns: [], key: '' } };
  const skip = (why: string) => ({ ...base, key: sha256(signature).slice(0, 16), spec: empty, skipped: why });
  if (signature === 'answer' && !frameSlots(members)) return skip('the prompts differ in more than one place');
  // Every turn must name the same slots (a slot missing from one turn's prompt came from elsewhere).
  const slotNames = [...members[0].slots.keys()].sort();
  if (members.some((m) => [...m.slots.keys()].sort().join() !== slotNames.join())) return skip('the slots differ between turns');
  // Majority answer template; its turns are the provenance. Every other turn of the cluster must
  // be another way of answering, not a counterexample: an answer that cannot be templated (a list
  // written in part, items picked by position), one that differs from the template only in a
  // literal (a value the template holds as text) or only in a binding, refuses the pattern.
  const templated = members.map((m) => ({ m, input: templateInput(m), t: answerTemplate(templateInput(m)) }));
  const refused = templated.find((x) => 'refused' in x.t);
  if (refused && 'refused' in refused.t) return skip(`turn ${refused.m.turn.turnId}: ${refused.t.refused}`);
  const ok = templated as Array<{ m: Prepared; input: TemplateInput; t: { parts: AnswerPart[] } }>;
  const byTemplate = new Map<string, typeof ok>();
  for (const x of ok) {
    const key = templateKey(x.t.parts);
    byTemplate.set(key, [...(byTemplate.get(key) ?? []), x]);
  }
  const [, group] = [...byTemplate.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const agreeing = group.map((x) => x.m);
  if (agreeing.length < minSupport) return skip(`the answers agree on one form in only ${agreeing.length} turns`);
  const answer = mergeTemplates(group.map((x) => x.t.parts));
  if (typeof answer === 'string') return skip(answer);
  const unexplained = group.find((x) => !explains(answer, x.input));
  if (unexplained) return skip(`the template does not give the answer of turn ${unexplained.m.turn.turnId} from its own tool results`);
  const [structure, literals] = [structureKey(answer), literalKey(answer)];
  const others = plan
    .filter((p) => !members.includes(p))
    .map((m) => ({ m, t: answerTemplate(templateInput(m)) }))
    .filter((x): x is { m: Prepared; t: { parts: AnswerPart[] } } => !('refused' in x.t));
  const counter = [...ok.filter((x) => !group.includes(x)), ...others].find((x) => structureKey(x.t.parts) === structure || literalKey(x.t.parts) === literals);
  if (counter) return skip(`turn ${counter.m.turn.turnId} answered "${counter.m.turn.answer.slice(0, 80)}", which the template would write otherwise`);
  if (slotNames.length > 0 && !answer.some((p) => !('text' in p))) return skip('the answer does not depend on the request');
  const templates = [...new Map(agreeing.map((m) => [m.skeleton.join(' '), m.skeleton])).values()];
  if (templates.some((t) => t.some((w, i) => i > 0 && w.startsWith('{') && t[i - 1].startsWith('{'))))
    return skip('two slots touch, so their border is unknown');
  const literalSets = templates.map((t) => new Set(t.filter((w) => !w.startsWith('{'))));
  const shared = [...literalSets[0]].filter((w) => literalSets.every((s) => s.has(w)));
  if (shared.length === 0 && templates.some((t) => t.every((w) => w.startsWith('{') || FILLERS.includes(w)))) return skip('a phrasing is only its slots');
  // Fillers are never required: "battery level" must not need the "my" of "what's my battery level".
  const core = shared.filter((w) => !FILLERS.includes(w)).sort();
  const vocab = [...new Set(literalSets.flatMap((s) => [...s]))].sort();
  // One word more than seen: "New York" after only one-word cities.
  const fixed = fixedFlags(agreeing);
  const flags = flagCues(agreeing, fixed);
  if (typeof flags === 'string') return skip(flags);
  const seenSlotWords = Math.max(1, ...agreeing.flatMap((m) => [...m.slots.values()].map((s) => s.to - s.from)));
  const maxSlotWords = 1 + seenSlotWords;
  const slotShapes = Object.fromEntries(slotNames.map((name) => [name, [...new Set(agreeing.map((m) => shapeOf(m.slots.get(name)!.text)))].sort()]));
  const key = sha256(signature, core.join(' ')).slice(0, 16);
  const spec: MinedPattern['spec'] = {
    slots: slotNames,
    templates,
    core,
    vocab,
    maxSlotWords,
    seenSlotWords,
    slotShapes,
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
    calls: fixFlags(agreeing[0].callSpecs, fixed, omittedFlags(agreeing)),
    answer,
    // A sample of them (example-sample.ts); the provenance below keeps every turn.
    examples: sampleExamples(
      agreeing.map((m) => ({
        template: m.skeleton.join(' '),
        prompt: m.turn.prompt,
        slots: Object.fromEntries([...m.slots].map(([k, s]) => [k, s.text])),
        ...(Object.keys(flags).length > 0 ? { flags: Object.fromEntries(Object.keys(flags).map((k) => [k, m.flags.get(k)!])) } : {}),
      })),
    ).map(({ template: _template, ...example }) => example),
    provenance: { turns: agreeing.map((m) => m.turn.turnId), key },
  };
  // Other words of the same sense as the phrasings' own ("bill" for "invoice"), in the runtime's reading.
  const senses = sensesFor(readSpec({ ...spec, name: '', description: '' }).vocab);
  if (Object.keys(senses).length > 0) spec.senses = senses;
  return { ...base, key, spec, support: agreeing.length };
}
