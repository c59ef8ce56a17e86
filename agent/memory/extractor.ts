// Entities and relations in a document's chunks. Offline, a deterministic extractor: file paths,
// code symbols (backticked, camelCase, PascalCase, snake_case, calls), proper names and #tags; a
// relation where a sentence joins two entities with a known verb ("X calls Y"), else a weaker
// co-occurrence in the same sentence. With a model configured, the model's own reading (JSON),
// falling back to the deterministic one when its answer is unusable.
import type { ChatRequest, LlmEvent } from '../loop/llm-types.ts';

export type Entity = { id: string; name: string; kind: 'file' | 'symbol' | 'name' | 'topic' };
export type Relation = { source: string; target: string; type: string; weight: number };
export type Extraction = { entities: Array<Entity & { count: number }>; relations: Relation[] };

const MAX_ENTITIES = 200;
const MAX_PER_SENTENCE = 8;
const FILE = /(?<![\w/])(?:[\w@.-]+\/)*[\w@-][\w@.-]*\.(?:ts|tsx|js|mjs|cjs|py|rs|go|java|rb|c|h|cpp|md|json|toml|ya?ml|sql|sh|css|html)\b/g;
const BACKTICK = /`([A-Za-z_$][\w$.]*(?:\(\))?)`/g;
const IDENTIFIER = /\b(?:[a-z]+(?:[A-Z][a-z0-9]+)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+|[a-z]+(?:_[a-z0-9]+)+|[A-Za-z_]\w*(?=\())\b/g;
const NAME = /\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\b/g;
const TAG = /(?:^|\s)#([a-z][\w-]{1,40})\b/g;
const VERBS: Array<[RegExp, string]> = [
  [/\bcalls?\b|\bcalled\b|\binvokes?\b/, 'calls'],
  [/\bimports?\b|\bimported\b/, 'imports'],
  [/\bdepends? on\b|\brequires?\b/, 'depends-on'],
  [/\buses?\b|\bused\b/, 'uses'],
  [/\bwrote\b|\bwrites?\b|\bauthored\b/, 'wrote'],
  [/\bchanged\b|\bchanges?\b|\bfixed\b|\bfixes\b|\brefactored\b|\bmodified\b/, 'changed'],
  [/\bowns?\b|\bmaintains?\b|\bleads?\b/, 'owns'],
  [/\bworks? (?:on|at|with)\b/, 'works-on'],
  [/\bcontains?\b|\bdefines?\b/, 'contains'],
];
// Capitalised words that begin sentences and name nothing.
const COMMON = new Set(
  'The A An This That These Those It Its We Our I You Your He She They Then When If And But Or So For To In On At Of By With As From Is Are Was Were Be Do Does Did Not No Yes Also After Before Each Every All Some Any Here There What Who Why How Which Where Note Notes Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday Run Use Add See Check Make Let Please Thanks Hello Hi Ok Okay True False Null None TODO'.split(
    ' ',
  ),
);

export function entityId(name: string): string {
  return name.trim().toLowerCase().replace(/\(\)$/, '').replace(/\s+/g, ' ');
}

function found(sentence: string): Array<{ entity: Entity; at: number }> {
  const hits: Array<{ entity: Entity; at: number }> = [];
  const taken: Array<[number, number]> = [];
  const add = (name: string, kind: Entity['kind'], at: number, length: number) => {
    if (taken.some(([s, e]) => at < e && at + length > s)) return;
    const clean = name.replace(/\(\)$/, '');
    if (clean.length < 2 || clean.length > 80) return;
    taken.push([at, at + length]);
    hits.push({ entity: { id: entityId(clean), name: clean, kind }, at });
  };
  for (const m of sentence.matchAll(FILE)) add(m[0], 'file', m.index, m[0].length);
  for (const m of sentence.matchAll(BACKTICK)) add(m[1], /\.[a-z]{1,4}$/.test(m[1]) ? 'file' : 'symbol', m.index, m[0].length);
  for (const m of sentence.matchAll(IDENTIFIER)) add(m[0], 'symbol', m.index, m[0].length);
  for (const m of sentence.matchAll(TAG)) add(m[1], 'topic', m.index, m[0].length);
  for (const m of sentence.matchAll(NAME)) {
    const words = m[0].split(/\s+/);
    while (words.length && COMMON.has(words[0])) words.shift();
    if (words.length === 0) continue;
    const name = words.join(' ');
    add(name, 'name', m.index + m[0].length - name.length, name.length);
  }
  return hits.sort((a, b) => a.at - b.at);
}

/** The deterministic reading of some chunks of text. */
export function extract(texts: string[]): Extraction {
  const entities = new Map<string, Entity & { count: number }>();
  const relations = new Map<string, Relation>();
  const relate = (source: string, target: string, type: string, weight: number) => {
    if (source === target) return;
    const key = `${source}\u0000${target}\u0000${type}`;
    const r = relations.get(key);
    if (r) r.weight += weight;
    else relations.set(key, { source, target, type, weight });
  };
  for (const text of texts) {
    for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
      const hits = found(sentence).filter((h) => entities.has(h.entity.id) || entities.size < MAX_ENTITIES);
      for (const { entity } of hits) {
        const known = entities.get(entity.id);
        if (known) known.count++;
        else entities.set(entity.id, { ...entity, count: 1 });
      }
      const near = hits.slice(0, MAX_PER_SENTENCE);
      for (let i = 0; i < near.length; i++) {
        for (let j = i + 1; j < near.length; j++) {
          const between = sentence.slice(near[i].at, near[j].at);
          const verb = VERBS.find(([pattern]) => pattern.test(between));
          if (verb && j === i + 1) relate(near[i].entity.id, near[j].entity.id, verb[1], 1);
          else relate(near[i].entity.id, near[j].entity.id, 'mentioned-with', 0.5);
        }
      }
    }
  }
  return { entities: [...entities.values()], relations: [...relations.values()] };
}

export type ModelStream = (request: ChatRequest) => AsyncIterable<LlmEvent>;

const PROMPT =
  'Extract the named entities (people, projects, files, code symbols, topics) and the relations between them from the text. Answer only JSON: {"entities":[{"name":"...","kind":"name|file|symbol|topic"}],"relations":[{"source":"name","target":"name","type":"verb"}]}';

/** The model's reading; the deterministic one when the model fails or answers something else. */
export async function extractWithModel(texts: string[], stream: ModelStream, model = ''): Promise<Extraction> {
  const fallback = extract(texts);
  try {
    let answer = '';
    const request: ChatRequest = {
      model,
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: texts.join('\n\n').slice(0, 12000) },
      ],
      tools: [],
      temperature: 0,
    };
    for await (const event of stream(request)) if (event.type === 'text') answer += event.text;
    const json = JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1)) as {
      entities?: Array<{ name?: unknown; kind?: unknown }>;
      relations?: Array<{ source?: unknown; target?: unknown; type?: unknown }>;
    };
    const kinds = new Set(['file', 'symbol', 'name', 'topic']);
    const entities = new Map<string, Entity & { count: number }>();
    for (const e of json.entities ?? []) {
      if (typeof e.name !== 'string' || !e.name.trim()) continue;
      const kind = (kinds.has(String(e.kind)) ? e.kind : 'name') as Entity['kind'];
      entities.set(entityId(e.name), { id: entityId(e.name), name: e.name.trim(), kind, count: 1 });
    }
    const relations = (json.relations ?? [])
      .filter((r) => typeof r.source === 'string' && typeof r.target === 'string' && entities.has(entityId(r.source)) && entities.has(entityId(r.target)))
      .map((r) => ({ source: entityId(String(r.source)), target: entityId(String(r.target)), type: String(r.type ?? 'related').slice(0, 40), weight: 1 }))
      .filter((r) => r.source !== r.target);
    return entities.size ? { entities: [...entities.values()].slice(0, MAX_ENTITIES), relations } : fallback;
  } catch {
    return fallback;
  }
}
