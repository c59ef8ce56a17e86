// How the CLI speaks: tables for people, JSON with --json, and coded errors with their fix.
import { describeError, TitanError } from '../common/errors.ts';

export type Out = { json: boolean };

export function print(out: Out, value: unknown, human: () => string): void {
  process.stdout.write((out.json ? JSON.stringify(value, null, 2) : human()) + '\n');
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => (row[c] === undefined || row[c] === null ? '-' : String(row[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

export function printError(out: Out, error: unknown): number {
  if (out.json) {
    const body = error instanceof TitanError ? error.toJSON() : { code: 'TITAN_E_INTERNAL', message: String((error as Error)?.message ?? error) };
    process.stdout.write(JSON.stringify({ error: body }, null, 2) + '\n');
  } else {
    process.stderr.write(describeError(error) + '\n');
  }
  if (!(error instanceof TitanError) && process.env.TITAN_DEBUG) console.error(error);
  return error instanceof TitanError && error.code === 'TITAN_E_USAGE' ? 2 : 1;
}
