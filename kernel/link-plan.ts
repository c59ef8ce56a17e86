// Deny by default: a component links only if every interface its binary imports is a titan:host
// interface this kernel implements at that version AND its manifest grants it. Checked before
// anything is instantiated; the result says which calls suspend (JSPI) and which interface to call.
import type { Ajv } from 'ajv';
import { newAjv } from '../common/ajv.ts';
import { GRANT_AJV_OPTIONS } from '../common/own-schemas.ts';
import { TitanError } from '../common/errors.ts';
import { GRANT_VALIDATORS, type Validator } from '../host-api/grant-validators.js';
import { HOST_INTERFACES, type HostInterface } from '../host-api/index.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import type { ComponentShape } from '../toolchain/inspect.ts';
import type { TranspileOptions } from '../toolchain/transpile.ts';
import { KIND_EXPORTS } from './kinds.ts';

/** `sync`: linked as plain calls, no JSPI (its service answers at once in this kernel's thread). */
export type LinkedImport = { host: HostInterface; version: string; spec: string; grant: Record<string, unknown>; sync: boolean };

export type LinkPlan = {
  imports: LinkedImport[];
  /** e.g. "titan:tool/tool@0.1.0": the key of the exported interface on an instance. */
  exportInterface: string;
  transpile: TranspileOptions;
};

/** Made on the first grant schema with no validator compiled ahead of time (one changed since, a test's own interface). */
let ajv: Ajv | undefined;
/** Per interface: the validator compiled ahead of time (host-api/grant-validators.js) while its schema reads the same, else compiled on first use. */
const grantValidators = new Map<string, Validator>();

function grantValidator(host: HostInterface): Validator {
  const ahead = GRANT_VALIDATORS[host.name];
  if (ahead && ahead[1] === JSON.stringify(host.grantSchema)) return ahead[0];
  return (ajv ??= newAjv(GRANT_AJV_OPTIONS)).compile(host.grantSchema);
}

function validateGrant(host: HostInterface, grant: unknown, who: string): void {
  let validate = grantValidators.get(host.name);
  if (!validate) grantValidators.set(host.name, (validate = grantValidator(host)));
  if (!validate(grant)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new TitanError('TITAN_E_CAPABILITY_INVALID', `${who}: capability "${host.name}" settings are invalid: ${why}`);
  }
}

/** `syncHosts`: host interfaces whose service answers synchronously where the component will run
 * (libSQL's sql, inline): their calls are linked without JSPI, so a call crossing them never suspends.
 * An entry "interface#function" links that one function so (sql#query-handle, which keeps a query
 * running on the host and answers its handle at once). */
export function planLink(
  manifest: PublishedManifest,
  shape: ComponentShape,
  supportedWitPackages: ReadonlySet<string>,
  syncHosts: ReadonlySet<string> = new Set(),
): LinkPlan {
  const who = `${manifest.kind}/${manifest.name}@${manifest.version}`;
  if (!supportedWitPackages.has(manifest.witPackage)) {
    throw new TitanError('TITAN_E_WORLD_UNSUPPORTED', `${who} is built for ${manifest.witPackage}, which this kernel does not link`);
  }
  const { interface: exportName, functions } = KIND_EXPORTS[manifest.kind];
  const pkgVersion = manifest.witPackage.slice(manifest.witPackage.indexOf('@') + 1);
  const exportInterface = `titan:${manifest.kind}/${exportName}@${pkgVersion}`;
  if (!shape.exports.includes(exportInterface)) {
    throw new TitanError(
      'TITAN_E_WORLD_MISMATCH',
      `${who} should export ${exportInterface} (world ${manifest.world}) but exports ${shape.exports.join(', ') || 'nothing'}`,
    );
  }

  const imports: LinkedImport[] = [];
  for (const spec of shape.imports) {
    const match = /^titan:host\/([a-z0-9-]+)@(\d+\.\d+\.\d+)$/.exec(spec);
    const host = match ? HOST_INTERFACES.get(match[1]) : undefined;
    if (!match || !host?.versions.includes(match[2])) {
      throw new TitanError('TITAN_E_UNKNOWN_IMPORT', `${who} imports ${spec}, which this kernel does not provide`);
    }
    const grant = manifest.capabilities[host.name];
    if (grant === undefined) {
      throw new TitanError('TITAN_E_UNDECLARED_IMPORT', `${who} imports ${spec} but its manifest does not declare the "${host.name}" capability`);
    }
    validateGrant(host, grant, who);
    imports.push({ host, version: match[2], spec, grant, sync: syncHosts.has(host.name) });
  }

  const asyncImports = imports.flatMap((i) =>
    i.sync ? [] : i.host.asyncFunctions.filter((fn) => !syncHosts.has(`${i.host.name}#${fn}`)).map((fn) => `${i.spec}#${fn}`),
  );
  const asyncExports = asyncImports.length === 0 ? [] : functions.map((fn) => `${exportInterface}#${fn}`);
  return { imports, exportInterface, transpile: { asyncImports, asyncExports } };
}
