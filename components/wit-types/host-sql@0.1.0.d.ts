// Generated from wit/ by toolchain/wit-types.ts; do not edit.
declare module 'titan:host/sql@0.1.0' {
  export function dialect(): SqlDialect;
  export function execute(statement: string, params: Array<Value>): number;
  export function query(statement: string, params: Array<Value>): Rows;
  /**
   * Runs every statement in one transaction: all or nothing.
   */
  export function batch(statements: Array<[string, Array<Value>]>): BigUint64Array;
  /**
   * params-json is a JSON array of parameters; the answer is a JSON array of row objects.
   */
  export function queryJson(statement: string, paramsJson: string): string;
  /**
   * Runs a query and keeps its rows on the host, answering only a handle: a store that passes rows
   * straight on answers {"$rows": handle}, and the kernel takes the rows from the host, so they
   * never cross the component boundary at all.
   */
  export function queryHandle(statement: string, paramsJson: string): number;
  /**
   * statements-json is a JSON array of [statement, [params...]] pairs, run in one transaction;
   * the answer is a JSON array of affected-row counts.
   */
  export function batchJson(statementsJson: string): string;
  /**
   * A transaction is bound to one connection until commit or rollback; the statements of an
   * open transaction name it with `in-transaction`.
   */
  export function begin(): number;
  export function inTransaction(tx: number, statement: string, paramsJson: string): string;
  export function commit(tx: number): void;
  export function rollback(tx: number): void;
  /**
   * # Variants
   * 
   * ## `"sqlite"`
   * 
   * ## `"postgres"`
   */
  export type SqlDialect = 'sqlite' | 'postgres';
  export type Value = ValueNull | ValueInteger | ValueReal | ValueText | ValueBlob;
  export interface ValueNull {
    tag: 'null',
  }
  export interface ValueInteger {
    tag: 'integer',
    val: number,
  }
  export interface ValueReal {
    tag: 'real',
    val: number,
  }
  export interface ValueText {
    tag: 'text',
    val: string,
  }
  export interface ValueBlob {
    tag: 'blob',
    val: Uint8Array,
  }
  export interface Rows {
    columns: Array<string>,
    values: Array<Array<Value>>,
  }
  export type SqlError = SqlErrorConstraint | SqlErrorSyntax | SqlErrorConnection | SqlErrorOther;
  /**
   * A constraint failed (unique, foreign key, check): the data was refused.
   */
  export interface SqlErrorConstraint {
    tag: 'constraint',
    val: string,
  }
  /**
   * The statement is malformed or names an unknown table or column.
   */
  export interface SqlErrorSyntax {
    tag: 'syntax',
    val: string,
  }
  /**
   * The database could not be reached, even after retries.
   */
  export interface SqlErrorConnection {
    tag: 'connection',
    val: string,
  }
  export interface SqlErrorOther {
    tag: 'other',
    val: string,
  }
}
