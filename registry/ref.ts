// References to components as people type them: "[kind/]name[@range]", e.g. "echo", "tool/echo@^1.2".
import semver from 'semver';
import { TitanError } from '../common/errors.ts';
import { COMPONENT_KINDS, COMPONENT_NAME, type ComponentKind } from './manifest.ts';

export type ComponentRef = { kind?: ComponentKind; name: string; range?: string };
export type ExactRef = ComponentRef & { version: string };

const FORM = 'write it as [kind/]name[@range], e.g. tool/echo@^1.0.0';

export function isComponentKind(value: string): value is ComponentKind {
  return (COMPONENT_KINDS as readonly string[]).includes(value);
}

export function parseRef(text: string): ComponentRef {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  const head = at === -1 ? trimmed : trimmed.slice(0, at);
  const range = at === -1 ? undefined : trimmed.slice(at + 1).trim();
  const slash = head.indexOf('/');
  const kindText = slash === -1 ? undefined : head.slice(0, slash);
  const name = slash === -1 ? head : head.slice(slash + 1);

  if (kindText !== undefined && !isComponentKind(kindText)) {
    throw new TitanError('TITAN_E_USAGE', `"${text}": unknown kind "${kindText}" (one of ${COMPONENT_KINDS.join(', ')})`);
  }
  if (!COMPONENT_NAME.test(name)) {
    throw new TitanError('TITAN_E_USAGE', `"${text}": "${name}" is not a component name (lowercase letters, digits, -); ${FORM}`);
  }
  if (range !== undefined && (range === '' || semver.validRange(range) === null)) {
    throw new TitanError('TITAN_E_USAGE', `"${text}": "${range}" is not a semver range or version; ${FORM}`);
  }
  const ref: ComponentRef = { name };
  if (kindText !== undefined) ref.kind = kindText as ComponentKind;
  if (range !== undefined) ref.range = range;
  return ref;
}

/** "tool/echo@1.2.0" for messages and problem lists. */
export function formatRef(ref: { kind?: string; name: string; version?: string; range?: string }): string {
  const tail = ref.version ?? ref.range;
  return `${ref.kind ? `${ref.kind}/` : ''}${ref.name}${tail ? `@${tail}` : ''}`;
}

/** Refs built in code skip parseRef; names and kinds become paths, so check them again here. */
export function checkRefShape(ref: { kind?: ComponentKind; name?: string }, nameRequired = true): void {
  if (ref.kind !== undefined && !isComponentKind(ref.kind)) {
    throw new TitanError('TITAN_E_USAGE', `unknown kind "${String(ref.kind)}" (one of ${COMPONENT_KINDS.join(', ')})`);
  }
  if (ref.name === undefined && !nameRequired) return;
  if (typeof ref.name !== 'string' || !COMPONENT_NAME.test(ref.name)) {
    throw new TitanError('TITAN_E_USAGE', `"${String(ref.name)}" is not a component name (lowercase letters, digits, -)`);
  }
}

/** The canonical spelling of an exact version, or TITAN_E_USAGE. */
export function exactVersion(ref: ExactRef): string {
  const version = semver.valid(ref.version);
  if (version === null) {
    throw new TitanError('TITAN_E_USAGE', `${formatRef(ref)}: "${ref.version}" is not an exact version like 1.2.3`);
  }
  return version;
}
