// What a part declares about its own configuration: its section's name, defaults, JSON Schema,
// clamped ranges, TITAN_* variables and the top-level keys config.json used before sections.
// Each part defines its section beside its code; common/config-loader.ts composes them.

/** The JSON Schema (ajv) of one key. */
export type KeySchema = Record<string, unknown>;

/** A range a number is clamped into (with a warning) instead of being refused. */
export type Range = readonly [min: number, max: number];

export type ConfigSection<N extends string = string, T extends object = object> = {
  /** The section's key in config.json: { "mesh": { ... } }. */
  readonly name: N;
  readonly defaults: T;
  readonly schema: Readonly<Record<string, KeySchema>>;
  readonly clamps: Readonly<Record<string, Range>>;
  /** TITAN_* variable -> key. Lists are comma-separated; switches take 1/0, yes/no, on/off, true/false. */
  readonly env: Readonly<Record<string, string>>;
  /** Old top-level key of config.json -> key here (read with a warning naming the new place). */
  readonly flat: Readonly<Record<string, string>>;
};

/** The configuration each section of a list describes, by section name. */
export type SectionsConfig<S extends readonly ConfigSection[]> = {
  [X in S[number] as X['name']]: X extends ConfigSection<string, infer T> ? T : never;
};

/** Explicit values per section (tests, a command's own flags): they beat the file and the environment. */
export type SectionOverrides<S extends readonly ConfigSection[]> = {
  [X in S[number] as X['name']]?: X extends ConfigSection<string, infer T> ? Partial<T> : never;
};

/** Checks at compile time that the schema, clamps, variables and old keys name the section's own keys. */
export function defineSection<N extends string, T extends object>(spec: {
  name: N;
  defaults: T;
  schema: { [K in keyof T]-?: KeySchema };
  clamps?: { [K in keyof T]?: Range };
  env?: Record<string, keyof T & string>;
  flat?: Record<string, keyof T & string>;
}): ConfigSection<N, T> {
  return {
    name: spec.name,
    defaults: spec.defaults,
    schema: spec.schema,
    clamps: (spec.clamps ?? {}) as Record<string, Range>,
    env: spec.env ?? {},
    flat: spec.flat ?? {},
  };
}

/** The keys of a section under their old top-level names, unchanged (`{ port: 'port', ... }`). */
export function sameNames<K extends string>(...keys: K[]): Record<K, K> {
  return Object.fromEntries(keys.map((key) => [key, key])) as Record<K, K>;
}
