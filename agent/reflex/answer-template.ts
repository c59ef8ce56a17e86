// The answer template of a reflex: a model's answer as literal text and parts bound to its sources
// (slot values, tool-result fields, list lengths and whole lists), and the checks that make a
// template safe to serve: every source answer is explained by its own turn's data, and no literal
// is a value in disguise.
//
// A value is found wherever it stands in the answer, also glued to other text ("UTC+09:00" holds
// the result's "+09:00", "12km" its 12), but never inside a run of letters or digits ("Paris" in
// "Parisian", 12 in 3.12). A list is bound as a whole (every item, in the tool's order, its real
// length as the count), never by position: an answer that picks items by index is refused.
import { render, type AnswerPart, type ItemPart, type ResultPath } from '../../components/reflexes/runtime.js';
import { applyForm, FORMS } from './slot-forms.ts';

export type TemplateInput = { slots: Map<string, string>; results: unknown[]; answer: string };
export type Template = { parts: AnswerPart[] } | { refused: string };

type Found = { start: number; end: number; part: AnswerPart; rank: number };

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

/** The tool results as parsed JSON (a result that is not JSON is one text value). */
export function parseResults(results: string[]): unknown[] {
  return results.map((text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  });
}

function walk(value: unknown, path: ResultPath, visit: (value: unknown, path: ResultPath) => void): void {
  visit(value, path);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, [...path, i], visit);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}

/** Whether `text` at [start, end) of `answer` stands on its own (see the file's opening comment). */
function bounded(answer: string, start: number, end: number, text: string): boolean {
  const single = text.length === 1 && LETTER.test(text);
  const side = (near: string | undefined, beyond: string | undefined, edge: string) => {
    if (near === undefined) return true;
    if (LETTER.test(edge)) return !LETTER.test(near) && !(single && (DIGIT.test(near) || near === "'" || near === '’'));
    if (DIGIT.test(edge)) return !DIGIT.test(near) && !((near === '.' || near === ',') && beyond !== undefined && DIGIT.test(beyond));
    return true;
  };
  return side(answer[start - 1], answer[start - 2], text[0]) && side(answer[end], answer[end + 1], text[text.length - 1]);
}

function occurrences(answer: string, text: string): number[] {
  const at: number[] = [];
  for (let i = answer.indexOf(text); i >= 0; i = answer.indexOf(text, i + 1)) if (bounded(answer, i, i + text.length, text)) at.push(i);
  return at;
}

/** The index into a list a result path goes through first, and the list's path. */
function listIndex(path: ResultPath): { at: number; list: ResultPath; index: number } | undefined {
  const at = path.findIndex((k) => typeof k === 'number');
  return at < 0 ? undefined : { at, list: path.slice(0, at), index: path[at] as number };
}

function lookup(value: unknown, path: ResultPath): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

/** Every place a slot value, a result value or a list length stands in the answer. */
function candidates(input: TemplateInput): Found[] {
  const found: Found[] = [];
  const add = (text: string, part: AnswerPart, rank: number) => {
    if (text.trim() === '') return;
    for (const start of occurrences(input.answer, text)) found.push({ start, end: start + text.length, part, rank });
  };
  for (const [slot, value] of input.slots) for (const form of FORMS) add(applyForm(value, form), { slot, form }, 0);
  input.results.forEach((result, call) => {
    walk(result, [], (value, path) => {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') add(String(value), { call, path }, 1);
      else if (Array.isArray(value) && value.length > 0) add(String(value.length), { count: { call, path } }, 2);
    });
  });
  return found;
}

/** Earliest first, then the longest, then slots before results before counts; among equals the list item in turn. */
function place(answer: string, found: Found[]): AnswerPart[] {
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.rank - b.rank);
  const parts: AnswerPart[] = [];
  const lastIndex = new Map<string, number>();
  let at = 0;
  for (let i = 0; i < found.length; i++) {
    const f = found[i];
    if (f.start < at) continue;
    // Two items with the same value: take the one of the item being written (or the next).
    const ties = found.filter((g) => g.start === f.start && g.end === f.end && g.rank === f.rank);
    let chosen = f;
    if (ties.length > 1) {
      const score = (g: Found) => {
        const li = 'call' in g.part ? listIndex(g.part.path) : undefined;
        if (!li || !('call' in g.part)) return 9;
        const last = lastIndex.get(JSON.stringify([g.part.call, li.list])) ?? -1;
        return li.index === last ? 0 : li.index === last + 1 ? 1 : 2 + Math.abs(li.index - last);
      };
      chosen = ties.reduce((best, g) => (score(g) < score(best) ? g : best));
    }
    if ('call' in chosen.part) {
      const li = listIndex(chosen.part.path);
      if (li) lastIndex.set(JSON.stringify([chosen.part.call, li.list]), li.index);
    }
    if (f.start > at) parts.push({ text: answer.slice(at, f.start) });
    parts.push(chosen.part);
    at = f.end;
  }
  if (at < answer.length) parts.push({ text: answer.slice(at) });
  return parts;
}

/** Items 0..n-1 of one result list written in order with the same shape: one list part. */
function groupList(parts: AnswerPart[], from: number, results: unknown[]): { part: AnswerPart; to: number } | string {
  const first = parts[from] as { call: number; path: ResultPath };
  const li = listIndex(first.path)!;
  const key = JSON.stringify([first.call, li.list]);
  const inList = (p: AnswerPart) => 'call' in p && p.call === first.call && JSON.stringify([p.call, listIndex(p.path)?.list]) === key;
  let to = from;
  for (let k = from; k < parts.length; k++) if (inList(parts[k])) to = k;
  const list = lookup(results[first.call], li.list);
  if (!Array.isArray(list) || li.index !== 0) return `the answer picks items of ${li.list.join('.')} by position`;
  const items: ItemPart[][] = [];
  const seps: string[] = [];
  let current = -1;
  let pendingText: string | undefined;
  for (let k = from; k <= to; k++) {
    const p = parts[k];
    if ('text' in p) {
      pendingText = p.text;
      continue;
    }
    let index = current;
    let item: ItemPart;
    if ('call' in p && inList(p)) {
      index = listIndex(p.path)!.index;
      const field = p.path.slice(li.at + 1);
      if (field.some((x) => typeof x === 'number')) return `the answer picks items of ${li.list.join('.')} by position`;
      item = { field };
    } else if ('slot' in p) item = p;
    else return `the answer mixes other values into the list ${li.list.join('.')}`;
    if (index === current + 1) {
      if (current >= 0) seps.push(pendingText ?? '');
      items.push([]);
      current = index;
    } else if (index !== current) return `the answer writes the items of ${li.list.join('.')} out of order`;
    else if (pendingText !== undefined) items[current].push({ text: pendingText });
    pendingText = undefined;
    items[current].push(item);
  }
  if (items.length !== list.length) return `the answer writes ${items.length} of the ${list.length} items of ${li.list.join('.')}`;
  const shape = JSON.stringify(items[0]);
  if (items.some((it) => JSON.stringify(it) !== shape)) return `the items of ${li.list.join('.')} are written in different shapes`;
  const n = items.length;
  if (seps.slice(0, -1).some((s) => s !== seps[0])) return `the items of ${li.list.join('.')} are joined in different ways`;
  const part: AnswerPart = {
    list: { call: first.call, path: li.list },
    item: items[0],
    seen: [n],
    ...(n > 2 ? { sep: seps[0] } : {}),
    ...(n > 1 ? { last: seps[n - 2] } : {}),
  };
  return { part, to };
}

/** The template of one answer, or why it cannot be one. */
export function answerTemplate(input: TemplateInput): Template {
  const placed = place(input.answer, candidates(input));
  const parts: AnswerPart[] = [];
  for (let k = 0; k < placed.length; k++) {
    const p = placed[k];
    if ('call' in p && listIndex(p.path)) {
      const grouped = groupList(placed, k, input.results);
      if (typeof grouped === 'string') return { refused: grouped };
      parts.push(grouped.part);
      k = grouped.to;
    } else parts.push(p);
  }
  // Adjacent literal text (around a list) is one literal.
  const merged: AnswerPart[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (last && 'text' in last && 'text' in p) merged[merged.length - 1] = { text: last.text + p.text };
    else merged.push(p);
  }
  return { parts: merged };
}

/** What turns must share to use one template: everything but the list lengths and separators seen. */
export function templateKey(parts: AnswerPart[]): string {
  return JSON.stringify(parts.map((p) => ('list' in p ? { list: p.list, item: p.item } : p)));
}

/** The bound parts only: two answers with these equal but other literals hold a literal that varies. */
export function structureKey(parts: AnswerPart[]): string {
  return JSON.stringify(parts.map((p) => ('text' in p ? '' : 'list' in p ? { list: p.list, item: p.item.map((i) => ('text' in i ? '' : i)) } : p)));
}

/** The literals only: two answers with these equal but other bindings bound an ambiguous value differently. */
export function literalKey(parts: AnswerPart[]): string {
  return JSON.stringify(parts.map((p) => ('text' in p ? p.text : 'list' in p ? p.item.map((i) => ('text' in i ? i.text : '*')) : '*')));
}

/** One template from the templates of several turns (same key): list lengths and separators pooled. */
export function mergeTemplates(all: AnswerPart[][]): AnswerPart[] | string {
  const out = all[0].map((p) => ({ ...p }));
  for (const parts of all.slice(1)) {
    for (const [i, p] of parts.entries()) {
      const into = out[i];
      if (!('list' in p) || !('list' in into)) continue;
      into.seen = [...new Set([...into.seen, ...p.seen])].sort((a, b) => a - b);
      for (const key of ['sep', 'last'] as const) {
        if (p[key] === undefined) continue;
        if (into[key] !== undefined && into[key] !== p[key]) return `the items of ${p.list.path.join('.')} are joined in different ways`;
        into[key] = p[key];
      }
    }
  }
  return out;
}

/** Whether the template gives exactly this turn's answer from this turn's slots and tool results. */
export function explains(parts: AnswerPart[], input: TemplateInput): boolean {
  try {
    return render(parts, Object.fromEntries(input.slots), input.results) === input.answer;
  } catch {
    return false;
  }
}
