// Percentiles, aligned tables and result files: the small kit every benchmark here shares.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export type Summary = { n: number; p50: number; p99: number; min: number; max: number; mean: number };

/** One line of the summary table that benchmarks/run.ts prints across all benchmarks. */
export type SummaryRow = { metric: string; value: number; unit: string; target?: string; met?: boolean };

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
    mean: sorted.length ? total / sorted.length : NaN,
  };
}

/** A target written as "<= 20" or ">= 5000": the figure and whether it was met. */
export function against(value: number, op: '<=' | '>=', limit: number, unit: string): { target: string; met: boolean } {
  return { target: `${op === '<=' ? '≤' : '≥'} ${limit} ${unit}`.trim(), met: op === '<=' ? value <= limit : value >= limit };
}

export function row(metric: string, value: number, unit: string, target?: { target: string; met: boolean }): SummaryRow {
  return { metric, value, unit, ...target };
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function metCell(met: boolean | undefined): string {
  return met === undefined ? '' : met ? 'met' : 'MISSED';
}

/** Prints rows under a title, each column padded to its widest cell (numbers right-aligned). */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c, Number.isInteger(c) ? 0 : 1) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => typeof r[i] === 'number' || /^[-\d.,]+$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(line(r));
}

/** Writes benchmarks/results/<name>.json: the summary rows run.ts prints, plus the details. */
export async function writeResult(name: string, summary: SummaryRow[], details: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, JSON.stringify({ name, at: new Date().toISOString(), summary, ...details }, null, 2) + '\n');
  return file;
}
