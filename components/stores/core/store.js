// core: Titan's store component. It owns the schema (migrations.js), every query, and nothing
// else: it reaches the database only through titan:host/sql, in SQLite or PostgreSQL dialect.
import { SCHEMA_VERSION } from './migrations.js';
import { migrate } from './schema.js';
import { operations } from './operations.js';

/** @type {typeof import('titan:store/store@0.1.0')} */
export const store = {
  describe() {
    return {
      name: 'core',
      description: 'Conversations, approvals, settings, patches, reflexes, jobs and memory, in SQLite or PostgreSQL.',
      configSchema: '{"type":"object","properties":{}}',
      schemaVersion: SCHEMA_VERSION,
    };
  },
  migrate() {
    return migrate();
  },
  request(op, inputText) {
    const operation = operations[op];
    if (!operation) throw { tag: 'invalid', val: `unknown operation "${op}"` };
    let input;
    try {
      input = inputText ? JSON.parse(inputText) : {};
    } catch (e) {
      throw { tag: 'invalid', val: `input of ${op} is not JSON: ${e.message}` };
    }
    let result;
    try {
      result = operation(input);
    } catch (e) {
      if (e && typeof e === 'object' && 'tag' in e) throw e;
      throw { tag: 'invalid', val: `${op} failed: ${e?.message ? e.message : String(e)}` };
    }
    // Row lists come back as JSON text already; everything else is encoded here.
    return typeof result === 'string' ? result : JSON.stringify(result ?? null);
  },
};
