// Titan's whole configuration: every part's section, composed and loaded once from
// $TITAN_HOME/config.json and TITAN_* variables. `titan start` hands each part its own section;
// a command that needs only the kernel still has the whole file checked, so a typo is never ignored.
import { homePaths, titanHome } from '../common/home.ts';
import { loadSections, type Loaded } from '../common/config-loader.ts';
import type { SectionOverrides, SectionsConfig } from '../common/config-section.ts';
import type { Kernel, KernelOptions } from '../kernel/api.ts';
// The sections from their own small files, not the kernel's and the agent's surfaces: checking the
// config (doctor, a CLI read) loads no kernel and no agent.
import { kernelSection } from '../kernel/config.ts';
import { agentSection } from '../agent/config.ts';
import { providerSection } from '../agent/llm/provider-section.ts';
import { reflexesSection, shadowSection } from '../agent/reflex/config.ts';
import { memorySection } from '../agent/memory/config.ts';
import { gatewaySection } from '../gateway/config.ts';
import { channelsSection } from '../gateway/channels/config.ts';
import { meshSection } from '../mesh/config.ts';
import { mcpSection } from '../agent/mcp/config.ts';
import { jobsSection } from '../agent/jobs/config.ts';
import { telemetrySection } from './telemetry.ts';
import { codeGraphSection } from '../agent/memory/code-graph/config.ts';
import { swarmSection } from '../agent/autonomy/swarm/config.ts';

export const SECTIONS = [
  kernelSection,
  agentSection,
  providerSection,
  gatewaySection,
  channelsSection,
  meshSection,
  reflexesSection,
  shadowSection,
  mcpSection,
  jobsSection,
  memorySection,
  telemetrySection,
  codeGraphSection,
  swarmSection,
] as const;

export type TitanConfig = SectionsConfig<typeof SECTIONS>;

export function loadTitanConfig(env: NodeJS.ProcessEnv = process.env, overrides: SectionOverrides<typeof SECTIONS> = {}): Promise<Loaded<TitanConfig>> {
  return loadSections(homePaths(titanHome(env)).config, SECTIONS, { env, overrides });
}

/** The kernel on $TITAN_HOME with the configuration checked whole; its `warnings` are every section's. */
export async function openKernel(options: Omit<KernelOptions, 'home' | 'loaded'> = {}): Promise<{ kernel: Kernel; config: TitanConfig }> {
  const { config, warnings } = await loadTitanConfig(options.env, { kernel: options.config });
  const { Kernel } = await import('../kernel/api.ts');
  const kernel = await Kernel.open({ ...options, loaded: { config: config.kernel, warnings } });
  return { kernel, config };
}
