// Whether two versions answered a replayed call the same: equal values (a JSON text compared as
// the value it spells), or the same error code and message (version numbers aside), except where
// the patch declares an equivalence for a path of the output. The first difference is the diff.
// An answer where the old version timed out counts as the same: there is no old answer to differ from.
import type { Equivalence } from '../components/stores/ops.ts';
import { stableJson } from './host-tape.ts';

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

export type Comparison = { same: true } | { same: false; diff: string };

const VERSION = /@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?/g;

export function compareOutcomes(old: Outcome, next: Outcome, equivalences: Equivalence[] = []): Comparison {
  // The old version ran out of time where the new one answers (a raised time limit): nothing to compare it with.
  if (!old.ok && old.code === 'TITAN_E_TIMEOUT' && next.ok) return { same: true };
  if (!old.ok || !next.ok) {
    if (!old.ok && !next.ok && old.code === next.code && old.message.replace(VERSION, '') === next.message.replace(VERSION, '')) return { same: true };
    return { same: false, diff: `${show(old)} -> ${show(next)}` };
  }
  const diff = differ(asValue(old.value), asValue(next.value), [], equivalences);
  return diff === undefined ? { same: true } : { same: false, diff };
}

export function show(outcome: Outcome): string {
  return clip(outcome.ok ? stableJson(outcome.value) : `${outcome.code}: ${outcome.message}`);
}

export function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/** A tool answers JSON text: compared as the value it spells, so key order and spacing do not count. */
function asValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function ruleAt(path: string[], equivalences: Equivalence[]): Equivalence | undefined {
  return equivalences.find((e) => {
    const want = e.path === '' ? [] : e.path.split('.');
    return want.length === path.length && want.every((part, i) => part === '*' || part === path[i]);
  });
}

function differ(a: unknown, b: unknown, path: string[], equivalences: Equivalence[]): string | undefined {
  const rule = ruleAt(path, equivalences);
  const where = path.length ? path.join('.') : '(the whole output)';
  if (rule?.rule === 'ignore') return undefined;
  if (rule?.rule === 'approx' && typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= (rule.tolerance ?? 1e-9) ? undefined : `at ${where}: ${a} -> ${b} (beyond ±${rule.tolerance ?? 1e-9})`;
  }
  if (rule?.rule === 'unordered' && Array.isArray(a) && Array.isArray(b)) {
    const sortedA = a.map(stableJson).sort();
    const sortedB = b.map(stableJson).sort();
    return stableJson(sortedA) === stableJson(sortedB) ? undefined : `at ${where}: the lists hold different items`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `at ${where}: ${a.length} items -> ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const diff = differ(a[i], b[i], [...path, String(i)], equivalences);
      if (diff) return diff;
    }
    return undefined;
  }
  if (isPlain(a) && isPlain(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in a) && !ruleAt([...path, key], equivalences)) return `at ${[...path, key].join('.')}: missing -> ${clip(stableJson(b[key]), 120)}`;
      if (!(key in b) && !ruleAt([...path, key], equivalences)) return `at ${[...path, key].join('.')}: ${clip(stableJson(a[key]), 120)} -> missing`;
      const diff = differ(a[key], b[key], [...path, key], equivalences);
      if (diff) return diff;
    }
    return undefined;
  }
  return stableJson(a) === stableJson(b) ? undefined : `at ${where}: ${clip(stableJson(a), 120)} -> ${clip(stableJson(b), 120)}`;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
