// ajv's schema compiler, required at its first use: a start compiles no schema (its validators were
// compiled ahead of time, and the gateway, the tool loop, MCP and the link plan compile theirs at a first
// request, call or link), so ajv's ~260 KB of modules are not evaluated before ready.
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

const require = createRequire(import.meta.url);

/** An ajv instance (JSON Schema draft 7, ajv's default). */
export function newAjv(options: Options): Ajv {
  const { Ajv: Class } = require('ajv') as typeof import('ajv');
  return new Class(options);
}

/** An ajv instance for JSON Schema 2020-12. */
export function newAjv2020(options: Options): Ajv2020 {
  const { Ajv2020: Class } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Class(options);
}
