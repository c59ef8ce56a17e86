// Ajv options for the JSON Schemas Titan writes itself (config sections, manifests, capability
// grants): compiled at every start, where compiling is a good part of the time to ready. Checking
// each schema against the JSON Schema meta-schema (validateSchema) and optimising the generated
// code roughly quintuple the compile time; the schemas are fixed in code, so the meta-schema check
// runs once in the tests (test/own-schemas.test.ts) instead, and a validator of a few fields loses
// nothing measurable without the optimiser.
export const OWN_SCHEMAS = { validateSchema: false, code: { optimize: false } } as const;
