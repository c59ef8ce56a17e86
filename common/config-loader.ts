// Loads the configuration sections a process registers: each section's defaults, then its part of
// $TITAN_HOME/config.json (nested `{ "mesh": {...} }`, or the old top-level keys, read with one
// warning saying where they now go), then its TITAN_* variables, then explicit overrides.
// Each section is validated with its own schema; every problem names its section and where the
// value came from, and one bad value refuses the whole load (nothing half-applied, the file is
// never written). Numbers out of range are clamped with a warning (a typo in a limit should not
// keep Titan from starting, nor run it without limits).
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Ajv, ErrorObject } from 'ajv';
import { newAjv } from './ajv.ts';
import { SECTION_VALIDATORS, type SectionValidators, type Validator } from './config-validators.js';
import { CONFIG_AJV_OPTIONS, configKeySchema } from './own-schemas.ts';
import { readJsonFile } from './atomic-file.ts';
import { TitanError } from './errors.ts';
import type { ConfigSection, SectionOverrides, SectionsConfig } from './config-section.ts';

export type Loaded<C> = { config: C; warnings: string[] };

export type LoadOptions<S extends readonly ConfigSection[]> = {
  env?: NodeJS.ProcessEnv;
  overrides?: SectionOverrides<S>;
  /**
   * The sections are every section this process knows (default): a top-level key none of them
   * claims is refused as unknown. false: keys of sections loaded elsewhere are left alone (the
   * kernel opened on its own reads only its section).
   */
  complete?: boolean;
};

/** Made on the first key with no validator compiled ahead of time (a section not in bin/config.ts, a schema changed since). */
let ajv: Ajv | undefined;
/**
 * The validators compiled ahead of time, by section (common/config-validators/<section>.js, 3-57 KB
 * each, 220 KB together): each loaded by the first load that sets one of its section's keys, so a
 * start with nothing configured reads none, and one set by TITAN_PORT and TITAN_PROVIDER 14 KB.
 */
const ahead = new Map<string, SectionValidators>();
/** One validator per key: the one compiled ahead of time (common/config-validators/<section>.js) while its schema reads the same, else compiled the first time a load sets that key to other than its default. */
const validators = new WeakMap<ConfigSection, Map<string, Validator>>();

function validatorOf(section: ConfigSection, key: string): Validator {
  let own = validators.get(section);
  if (!own) validators.set(section, (own = new Map()));
  let validate = own.get(key);
  if (!validate) {
    const compiled = ahead.get(section.name)?.[key];
    validate =
      compiled && compiled[1] === JSON.stringify(section.schema[key])
        ? compiled[0]
        : (ajv ??= newAjv(CONFIG_AJV_OPTIONS)).compile(configKeySchema(key, section.schema[key]));
    own.set(key, validate);
  }
  return validate;
}

/**
 * Checks the keys a load set to other than their defaults (the defaults are valid: a test checks each
 * section's whole schema against them), coercing in place: a start compiles the schemas of the few
 * keys it sets, not all of them (every section's compiled at once cost about 380 ms of each start).
 */
function check(section: ConfigSection, values: Record<string, unknown>, sources: Map<string, string>, problems: string[]): boolean {
  const before = problems.length;
  const defaults = section.defaults as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(section.schema, key)) {
      problems.push(`unknown key "${key}" in section ${section.name} (its keys: ${Object.keys(section.schema).join(', ')})`);
      continue;
    }
    if (isDeepStrictEqual(values[key], defaults[key])) continue;
    const one = { [key]: values[key] };
    const validate = validatorOf(section, key);
    if (validate(one)) values[key] = one[key];
    else for (const error of validate.errors ?? []) problems.push(describe(section, error, sources));
  }
  return problems.length === before;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A TITAN_* variable as its key's type reads it: lists comma-separated, switches as people write them. */
function fromEnvironment(raw: string, fallback: unknown): unknown {
  if (Array.isArray(fallback))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof fallback === 'boolean') {
    const word = raw.trim().toLowerCase();
    if (['1', 'yes', 'on'].includes(word)) return true;
    if (['0', 'no', 'off'].includes(word)) return false;
  }
  return raw;
}

type Gathered = { values: Record<string, unknown>; sources: Map<string, string> };

/** One section's values in precedence order, each with where it came from. */
type Report = { problems: string[]; moved: string[]; claimed: Set<string> };

function gather(
  section: ConfigSection,
  file: Record<string, unknown>,
  fileName: string,
  env: NodeJS.ProcessEnv,
  overrides: object | undefined,
  report: Report,
): Gathered {
  const values: Record<string, unknown> = structuredClone(section.defaults) as Record<string, unknown>;
  const sources = new Map<string, string>();
  const own = file[section.name];
  let nested: Record<string, unknown> = {};
  if (isPlainObject(own)) {
    nested = own;
    report.claimed.add(section.name);
  } else if (own !== undefined && !(section.name in section.flat)) {
    report.problems.push(`section ${section.name} must be an object ({ "${section.name}": { ... } }) in ${fileName}`);
    report.claimed.add(section.name);
  }
  for (const [old, key] of Object.entries(section.flat)) {
    // A section may share its name with an old key of another type ("channels": [...], "reflexes": true).
    if (!(old in file) || (old === section.name && isPlainObject(file[old]))) continue;
    report.claimed.add(old);
    if (key in nested) {
      const both = `"${old}" (old top-level key) and "${section.name}.${key}" are both set in ${fileName}`;
      report.problems.push(`${both}; keep only ${section.name}.${key}`);
      continue;
    }
    values[key] = file[old];
    sources.set(key, `${fileName}, old key "${old}"`);
    report.moved.push(`${old} -> ${section.name}.${key}`);
  }
  for (const [key, value] of Object.entries(nested)) {
    values[key] = value;
    sources.set(key, fileName);
  }
  for (const [name, key] of Object.entries(section.env)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue; // an empty variable counts as unset
    values[key] = fromEnvironment(raw, (section.defaults as Record<string, unknown>)[key]);
    sources.set(key, name);
  }
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) continue;
    values[key] = value;
    sources.set(key, 'an explicit override');
  }
  return { values, sources };
}

function describe(section: ConfigSection, error: ErrorObject, sources: Map<string, string>): string {
  const where = error.instancePath.slice(1).split('/');
  // Keys unknown to the section itself are found before ajv runs (check); these are nested ones.
  if (error.keyword === 'additionalProperties') return `unknown key "${String(error.params.additionalProperty)}" in ${section.name}.${where.join('.')}`;
  const source = sources.get(where[0]);
  return `${section.name}.${where.join('.')} ${error.message}${source ? ` (from ${source})` : ''}`;
}

/** Clamps the section's ranged numbers, with a warning for each value moved. */
function clamp(section: ConfigSection, values: Record<string, unknown>, warnings: string[]): void {
  for (const [key, [min, max]] of Object.entries(section.clamps)) {
    const value = values[key] as number;
    const clamped = Math.min(max, Math.max(min, value));
    if (clamped === value) continue;
    warnings.push(`config ${section.name}.${key}=${value} is outside ${min}..${max}; using ${clamped}`);
    values[key] = clamped;
  }
}

export async function loadSections<const S extends readonly ConfigSection[]>(
  file: string,
  sections: S,
  options: LoadOptions<S> = {},
): Promise<Loaded<SectionsConfig<S>>> {
  let fromFile: unknown;
  try {
    fromFile = await readJsonFile<unknown>(file, {});
  } catch (error) {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  const env = options.env ?? process.env;
  const overrides = (options.overrides ?? {}) as Record<string, object | undefined>;
  const inFile = isPlainObject(fromFile) ? fromFile : {};
  const sets = (section: ConfigSection) =>
    section.name in inFile ||
    Object.keys(section.flat).some((old) => old in inFile) ||
    Object.keys(overrides[section.name] ?? {}).length > 0 ||
    Object.keys(section.env).some((name) => env[name]);
  await Promise.all(
    sections
      .filter((section) => !ahead.has(section.name) && Object.hasOwn(SECTION_VALIDATORS, section.name) && sets(section))
      .map(async (section) => ahead.set(section.name, (await SECTION_VALIDATORS[section.name]()).VALIDATORS)),
  );
  return composeSections(fromFile, file, sections, options);
}

/**
 * The configuration `fromFile` would give as the content of `file` (with the TITAN_* variables and
 * overrides over it): how a file is loaded, and how an edit is checked before it is written.
 */
export function composeSections<const S extends readonly ConfigSection[]>(
  fromFile: unknown,
  file: string,
  sections: S,
  options: LoadOptions<S> = {},
): Loaded<SectionsConfig<S>> {
  const fileName = path.basename(file);
  if (!isPlainObject(fromFile)) {
    throw new TitanError('TITAN_E_CONFIG_INVALID', `${file} must hold one JSON object ({ "kernel": {...}, "mesh": {...} })`);
  }

  const env = options.env ?? process.env;
  const overrides = (options.overrides ?? {}) as Record<string, object | undefined>;
  const report: Report = { problems: [], moved: [], claimed: new Set() };
  const warnings: string[] = [];
  const config: Record<string, unknown> = {};
  for (const section of sections) {
    const { values, sources } = gather(section, fromFile, fileName, env, overrides[section.name], report);
    if (!check(section, values, sources, report.problems)) continue;
    clamp(section, values, warnings);
    config[section.name] = values;
  }
  if (options.complete !== false) {
    const names = sections.map((s) => s.name).join(', ');
    for (const key of Object.keys(fromFile)) {
      if (!report.claimed.has(key)) report.problems.push(`unknown key "${key}" at the top of ${fileName} (its sections: ${names})`);
    }
  }
  if (report.problems.length) {
    const why = `configuration (${file} and TITAN_* variables): ${report.problems.join('; ')}`;
    throw new TitanError('TITAN_E_CONFIG_INVALID', why, { details: { problems: report.problems } });
  }
  if (report.moved.length) {
    const moves = report.moved.join(', ');
    warnings.unshift(`${fileName} uses top-level keys from before sections; they still work, but move them: ${moves}`);
  }
  return { config: config as SectionsConfig<S>, warnings };
}
