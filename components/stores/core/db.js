// Thin helpers over titan:host/sql. Rows travel as JSON text (cheap at the boundary); a store
// error is thrown as the store-error variant the kernel maps to a coded error.
import { dialect, queryJson, queryHandle, batchJson, begin, inTransaction, commit, rollback } from 'titan:host/sql@0.1.0';
/** @import { RowsText } from '../ops.js' */

// Asked on first use, not at load: the module is evaluated at build time, when no host exists.
let current;
export function sqlDialect() {
  current ??= dialect();
  return current;
}
export function isSqlite() {
  return sqlDialect() === 'sqlite';
}

export function fail(tag, message) {
  return { tag, val: message };
}

function sqlFailure(e) {
  const payload = e && e.payload !== undefined ? e.payload : e;
  if (payload && payload.tag === 'constraint') return fail('conflict', payload.val);
  return fail('database', payload && payload.val !== undefined ? `${payload.tag}: ${payload.val}` : String(payload));
}

/**
 * Rows as a JSON string (not parsed: callers that only pass rows on never pay for parsing).
 * @returns {RowsText}
 */
export function rowsText(sql, params = []) {
  try {
    return /** @type {RowsText} */ (queryJson(sql, JSON.stringify(params)));
  } catch (e) {
    throw sqlFailure(e);
  }
}

/**
 * Rows the caller only passes on: they stay on the host and the answer names them by handle
 * ({"$rows": n}), so they never cross the component boundary.
 * @returns {RowsText}
 */
export function rowsPassedOn(sql, params = []) {
  try {
    return /** @type {RowsText} */ (`{"$rows":${queryHandle(sql, JSON.stringify(params))}}`);
  } catch (e) {
    throw sqlFailure(e);
  }
}

export function rows(sql, params = []) {
  return JSON.parse(rowsText(sql, params));
}

export function one(sql, params = []) {
  return rows(sql, params)[0] ?? null;
}

/** Statements as [sql, params] pairs, all in one transaction; returns affected-row counts. */
export function batch(statements) {
  if (statements.length === 0) return [];
  try {
    return JSON.parse(batchJson(JSON.stringify(statements)));
  } catch (e) {
    throw sqlFailure(e);
  }
}

/** Runs fn(run) inside one transaction on one connection; commits if fn returns, else rolls back. */
export function transaction(fn) {
  let tx;
  try {
    tx = begin();
  } catch (e) {
    throw sqlFailure(e);
  }
  const run = (sql, params = []) => {
    try {
      return JSON.parse(inTransaction(tx, sql, JSON.stringify(params)));
    } catch (e) {
      throw sqlFailure(e);
    }
  };
  try {
    const result = fn(run);
    commit(tx);
    return result;
  } catch (e) {
    try {
      rollback(tx);
    } catch (_) {
      // the connection is gone; the database rolled back on its own
    }
    throw e;
  }
}
