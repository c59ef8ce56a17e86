// The test a new version must pass beside the old one before it may serve: it describes itself,
// runs its own smoke() when its world has one, and answers the manifest's smoke cases as expected.
import { TitanError, isTitanError } from '../common/errors.ts';
import type { Deployment } from './deployment.ts';
import { describeComponent } from './deployment.ts';

export type Descriptor = { name?: string; description: string; schema: Record<string, unknown>; needsApproval?: boolean };

/** Reads the descriptor a component reports about itself (description and input schema). */
export async function readDescriptor(deployment: Deployment): Promise<Descriptor> {
  const who = describeComponent(deployment.manifest);
  const raw = (await deployment.call('describe', [])) as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object') throw new TitanError('TITAN_E_SMOKE_FAILED', `${who}: describe() returned nothing`);
  const schemaText = (raw.inputSchema ?? raw.configSchema ?? '{}') as string;
  let schema: Record<string, unknown>;
  try {
    schema = JSON.parse(schemaText) as Record<string, unknown>;
  } catch {
    throw new TitanError('TITAN_E_SMOKE_FAILED', `${who}: describe() returned a schema that is not JSON`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new TitanError('TITAN_E_SMOKE_FAILED', `${who}: describe() returned a schema that is not a JSON object`);
  }
  return { name: raw.name as string | undefined, description: String(raw.description ?? ''), schema, needsApproval: raw.needsApproval as boolean | undefined };
}

export async function smokeTest(deployment: Deployment): Promise<Descriptor> {
  const who = describeComponent(deployment.manifest);
  try {
    const descriptor = await readDescriptor(deployment);
    if (await deployment.exports('smoke')) await deployment.call('smoke', []);
    for (const [index, test] of (deployment.manifest.smoke ?? []).entries()) {
      const output = await deployment.call(test.function ?? 'invoke', test.args ?? [test.input]);
      if (test.expect !== undefined && output !== test.expect) {
        throw new TitanError(
          'TITAN_E_SMOKE_FAILED',
          `${who}: smoke case ${index + 1} answered ${JSON.stringify(output)}, expected ${JSON.stringify(test.expect)}`,
        );
      }
    }
    return descriptor;
  } catch (error) {
    if (isTitanError(error, 'TITAN_E_SMOKE_FAILED')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TitanError('TITAN_E_SMOKE_FAILED', `${who} failed its smoke test: ${message}`, { cause: error });
  }
}
