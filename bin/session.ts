// A kernel for one CLI command when none is running: opened on $TITAN_HOME, closed afterwards.
import type { Kernel } from '../kernel/api.ts';
import { openKernel, type TitanConfig } from './config.ts';
import { connectToKernel, type ControlClient } from './control-client.ts';
import { homePaths, titanHome } from '../common/home.ts';

/** The serving versions are restored first: the store among them holds the patch queue. */
export async function withOfflineKernel<T>(fn: (kernel: Kernel, config: TitanConfig) => Promise<T>): Promise<T> {
  const { kernel, config } = await openKernel({ logToFile: true, config: { controlSocket: false } });
  try {
    for (const failure of await kernel.restoreDeployments()) {
      process.stderr.write(`warning: ${failure.slot} could not be restored: ${failure.error.code}: ${failure.error.message}\n`);
    }
    return await fn(kernel, config);
  } finally {
    await kernel.close();
  }
}

export function runningKernel(): Promise<ControlClient | null> {
  return connectToKernel(homePaths(titanHome()).controlSocket);
}
