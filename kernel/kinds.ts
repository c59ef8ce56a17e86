// What the kernel calls on each kind of component: the exported interface and its functions.
// "smoke" exists from titan:tool@0.2.0 on; the kernel calls it only when the binary exports it.
import type { ComponentKind } from '../registry/manifest.ts';
import { parseRef } from '../registry/registry.ts';

export const KIND_EXPORTS: Record<ComponentKind, { interface: string; functions: string[] }> = {
  tool: { interface: 'tool', functions: ['describe', 'invoke', 'smoke'] },
  channel: { interface: 'channel', functions: ['describe', 'decode-inbound', 'encode-outbound', 'decode-sent', 'smoke'] },
  provider: { interface: 'provider', functions: ['describe', 'encode-request', 'decode-stream', 'decode-error', 'smoke'] },
  reflex: { interface: 'reflex', functions: ['describe', 'match', 'execute', 'smoke'] },
  store: { interface: 'store', functions: ['describe', 'migrate', 'request', 'smoke'] },
};

/**
 * What must run on a new version before it may serve, after it is instantiated and before its
 * smoke test: a store brings its schema forward (additive migrations, so the old version keeps
 * working on the migrated schema if the swap then fails).
 */
export const KIND_PREPARE: Partial<Record<ComponentKind, string>> = { store: 'migrate' };

export { camel } from './wit-names.ts';

export function slotKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** "[kind/]name[@range]" as a reference; a name alone is a tool's. */
export function kindedRef(text: string) {
  const ref = parseRef(text);
  return { ...ref, kind: ref.kind ?? ('tool' as ComponentKind) };
}
