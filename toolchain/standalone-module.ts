// What the validator generators share: ajv's standalone code written as an ES module Titan imports
// (its runtime helpers imported rather than required), and the generated file written, or with
// --check (as `npm run typecheck` runs them) found stale.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/** The module's text: `header`, ajv's standalone code exporting `exported` (name -> schema $id), then `trailer`. */
export function standaloneModule(ajv: Ajv, exported: Record<string, string>, header: string, trailer = ''): string {
  const code = standalone.default(ajv, exported);
  const imports = new Map<string, string>();
  const body = code.replace(/^"use strict";/, '').replace(/require\("([^"]+)"\)/g, (_: string, specifier: string) => {
    const file = specifier.endsWith('.js') ? specifier : `${specifier}.js`;
    if (!imports.has(file)) imports.set(file, `runtime${imports.size}`);
    return imports.get(file) as string;
  });
  return header + [...imports].map(([file, name]) => `import ${name} from ${JSON.stringify(file)};\n`).join('') + body + trailer;
}

/**
 * Writes `wanted` to `file` unless it already reads so; with `check`, writes nothing and says why
 * the file is stale (`stale`, with the command that remakes it). The process's exit code.
 */
export async function writeGenerated(file: string, wanted: string, check: boolean, stale: string): Promise<number> {
  const now = await readFile(file, 'utf8').catch(() => '');
  if (now === wanted) return 0;
  if (check) {
    console.error(`${path.relative(process.cwd(), file)} ${stale}`);
    return 1;
  }
  await writeFile(file, wanted);
  return 0;
}
