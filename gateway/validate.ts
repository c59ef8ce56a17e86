// Input checks with JSON Schema (ajv), compiled once per schema: bodies strictly as sent, query
// strings and path parameters with their text coerced to the declared types. A failure names the
// field and changes nothing.
import type { Ajv, ErrorObject, JSONSchemaType } from 'ajv';
import { newAjv } from '../common/ajv.ts';
import { TitanError } from '../common/errors.ts';
import { OWN_SCHEMAS } from '../common/own-schemas.ts';

// Why two instances: coercion must never touch a JSON body ("1" stays a string there). The route
// schemas are Titan's own (fixed in code): no meta-schema check per process, which cost every CLI
// command on a stopped home about 40 ms of CPU per instance; strict mode still refuses an unknown keyword.
// Each is made by the first request it checks, not by a start.
const OPTIONS = {
  strict: { allErrors: false, strict: true, ...OWN_SCHEMAS },
  coercing: { allErrors: false, strict: true, coerceTypes: true, useDefaults: true, ...OWN_SCHEMAS },
} as const;
type Mode = keyof typeof OPTIONS;

type Check<T> = (value: unknown) => value is T;
const instances = new Map<Mode, { ajv: Ajv; compiled: WeakMap<object, Check<unknown>> }>();

function compile<T>(mode: Mode, schema: JSONSchemaType<T> | Record<string, unknown>): Check<T> {
  let instance = instances.get(mode);
  if (!instance) instances.set(mode, (instance = { ajv: newAjv(OPTIONS[mode]), compiled: new WeakMap() }));
  let check = instance.compiled.get(schema) as Check<T> | undefined;
  if (!check) {
    check = instance.ajv.compile<T>(schema as JSONSchemaType<T>) as unknown as Check<T>;
    instance.compiled.set(schema, check as Check<unknown>);
  }
  return check;
}

function explain(where: string, errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return `${where} is not valid`;
  const field = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : '';
  if (first.keyword === 'additionalProperties') return `${where} has an unknown field "${(first.params as { additionalProperty: string }).additionalProperty}"`;
  if (first.keyword === 'required') return `${where} needs "${(first.params as { missingProperty: string }).missingProperty}"`;
  return `${where}${field ? ` field "${field}"` : ''} ${first.message ?? 'is not valid'}`;
}

/** The request body as `T`, or TITAN_E_INVALID_REQUEST naming what is wrong. */
export function body<T>(value: unknown, schema: JSONSchemaType<T> | Record<string, unknown>): T {
  const check = compile<T>('strict', schema);
  if (!check(value)) throw new TitanError('TITAN_E_INVALID_REQUEST', explain('the body', (check as unknown as { errors?: ErrorObject[] }).errors));
  return value;
}

/** Query parameters (or path parameters) as `T`: a copy, coerced and with defaults filled in. */
export function params<T>(value: Record<string, unknown>, schema: JSONSchemaType<T> | Record<string, unknown>, where = 'the query'): T {
  const copy = { ...value };
  const check = compile<T>('coercing', schema);
  if (!check(copy)) throw new TitanError('TITAN_E_INVALID_REQUEST', explain(where, (check as unknown as { errors?: ErrorObject[] }).errors));
  return copy;
}

/** Ids in paths: uuids and the like; anything else cannot name a stored row. */
export const ID = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } as const;
