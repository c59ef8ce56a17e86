// How WIT names look on the JavaScript side of a component (kept apart from kinds.ts, which reads
// the registry, so that worker threads load neither).

/** WIT names are kebab-case; jco exposes them in camelCase. */
export function camel(witName: string): string {
  return witName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
