// How WIT names look on the JavaScript side of a component (kept apart from kinds.ts, which reads
// the registry, so that worker threads load neither).

/** Names converted before: every component call looks its function up by WIT name. */
const CAMEL = new Map<string, string>();
/** Function names are the deployed components' few; a caller naming many unknown ones only refills it. */
const CAMEL_KEPT = 512;

/** WIT names are kebab-case; jco exposes them in camelCase. */
export function camel(witName: string): string {
  let name = CAMEL.get(witName);
  if (name === undefined) {
    name = witName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (CAMEL.size >= CAMEL_KEPT) CAMEL.clear();
    CAMEL.set(witName, name);
  }
  return name;
}
