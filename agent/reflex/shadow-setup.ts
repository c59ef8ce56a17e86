// Whether shadow workers run and on which model: on the background model (providers.background)
// within shadow.budgetPerHour, else on the main model only within shadow.mainModelBudgetPerHour
// (default 0: off, as they cost the main model more requests than they save); and their account.
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import type { LlmStream } from '../loop/turn.ts';
import type { ShadowConfig } from './config.ts';
import type { Embedder } from './embedder.ts';
import { ShadowWorkers } from './shadow.ts';

export type ShadowModel = 'background' | 'main' | 'off';

export type ShadowSummary = { model: ShadowModel; requestsSpent: number; requestsSaved: number; stats?: ShadowWorkers['stats'] };

export function shadowWorkersFor(
  kernel: Kernel,
  config: ShadowConfig,
  options: { llm?: LlmStream; tools?: ToolCatalog; backgroundModel?: boolean; embedder: Embedder },
): { model: ShadowModel; workers?: ShadowWorkers } {
  const budgetPerHour = options.backgroundModel ? config.budgetPerHour : Math.min(config.budgetPerHour, config.mainModelBudgetPerHour);
  const { llm, tools } = options;
  if (!config.enabled || !llm || !tools || budgetPerHour === 0) return { model: 'off' };
  const workers = new ShadowWorkers({
    llm,
    embedder: options.embedder,
    tools: () => tools.list(),
    invokeTool: (name, input) => kernel.call('tool', name, 'invoke', [input]) as Promise<string>,
    concurrency: config.concurrency,
    budgetPerHour,
    ttlMs: config.ttlMs,
    similarity: config.similarity,
    onLog: (message) => kernel.logger.info({ component: 'reflex/shadow' }, message),
  });
  return { model: options.backgroundModel ? 'background' : 'main', workers };
}

/** Model requests spent against requests saved, and on which model: whether they pay for themselves. */
export function shadowSummary(model: ShadowModel, workers: ShadowWorkers | undefined): ShadowSummary {
  return {
    model,
    requestsSpent: workers?.requests.spent ?? 0,
    requestsSaved: workers?.requests.saved ?? 0,
    stats: workers && { ...workers.stats },
  };
}
