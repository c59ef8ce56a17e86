// Ajv options for the JSON Schemas Titan writes itself (config sections, manifests, capability
// grants): compiled at every start, where compiling is a good part of the time to ready. Checking
// each schema against the JSON Schema meta-schema (validateSchema) and optimising the generated
// code roughly quintuple the compile time; the schemas are fixed in code, so the meta-schema check
// runs once in the tests (test/own-schemas.test.ts) instead, and a validator of a few fields loses
// nothing measurable without the optimiser.
export const OWN_SCHEMAS = { validateSchema: false, code: { optimize: false } } as const;

/** How a configuration key's schema is checked (common/config-loader.ts, and ahead of time bin/config-validators.ts). */
export const CONFIG_AJV_OPTIONS = { allErrors: true, coerceTypes: true, ...OWN_SCHEMAS } as const;

/** The schema one configuration key is checked with: its value as the only property of an object (so coercion can replace it). */
export function configKeySchema(key: string, schema: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', properties: { [key]: schema } };
}

/** How a host interface's grant schema is checked (kernel/link-plan.ts, and ahead of time toolchain/grant-validators.ts). */
export const GRANT_AJV_OPTIONS = { allErrors: true, ...OWN_SCHEMAS } as const;
