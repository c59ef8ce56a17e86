// Two sections of the configuration: "reflexes" (mining recurring requests and answering them
// from compiled reflexes) and "shadow" (predicting the next requests and precomputing answers).
import { defineSection } from '../../common/config-section.ts';

export type ReflexesConfig = {
  /** Mine recurring requests and answer them from compiled reflexes. */
  enabled: boolean;
  /** Deploy a reflex that passed its precision guard without a human approving its patch. */
  autoApprove: boolean;
  /** A reflex answers only at or above this match confidence (0.5-1). */
  threshold: number;
  /** Turns a pattern needs before it is compiled. */
  minSupport: number;
  /** Cosine similarity of prompt skeletons that puts two turns in one pattern. */
  similarity: number;
  /** Time limit of one reflex call (match or execute) in its worker; past it, the model answers. */
  timeoutMs: number;
  /** Share of reflex answers checked against the model in the background (0-1). */
  checkRate: number;
  /** Counterfactual probes (source phrasings with other values) the model must answer the same before a reflex serves; 0: none. */
  probes: number;
  /** The same request asked again in a thread is answered without the model, its read-only tools run again (repeats.ts). */
  repeats: boolean;
  /** Embeddings for mining and the shadow cache: "local" (hashed n-grams, no download), "provider", or "mesh" (a mesh peer's provider, else local). */
  embeddings: 'local' | 'provider' | 'mesh';
  /** Embedding model when embeddings is "provider". */
  embeddingModel: string;
};

export const reflexesSection = defineSection<'reflexes', ReflexesConfig>({
  name: 'reflexes',
  defaults: {
    enabled: true,
    autoApprove: true,
    threshold: 0.8,
    minSupport: 3,
    similarity: 0.5,
    timeoutMs: 250,
    checkRate: 0.05,
    probes: 2,
    repeats: true,
    embeddings: 'local',
    embeddingModel: 'text-embedding-3-small',
  },
  schema: {
    enabled: { type: 'boolean' },
    autoApprove: { type: 'boolean' },
    threshold: { type: 'number' },
    minSupport: { type: 'integer' },
    similarity: { type: 'number' },
    timeoutMs: { type: 'integer' },
    checkRate: { type: 'number' },
    probes: { type: 'integer' },
    repeats: { type: 'boolean' },
    embeddings: { enum: ['local', 'provider', 'mesh'] },
    embeddingModel: { type: 'string', minLength: 1 },
  },
  clamps: {
    threshold: [0.5, 1],
    minSupport: [2, 1000],
    similarity: [0.1, 1],
    timeoutMs: [10, 60000],
    checkRate: [0, 1],
    probes: [0, 10],
  },
  env: {
    TITAN_REFLEXES: 'enabled',
    TITAN_REFLEX_AUTO_APPROVE: 'autoApprove',
    TITAN_REFLEX_THRESHOLD: 'threshold',
    TITAN_REFLEX_EMBEDDINGS: 'embeddings',
  },
  flat: {
    reflexes: 'enabled',
    reflexAutoApprove: 'autoApprove',
    reflexThreshold: 'threshold',
    reflexMinSupport: 'minSupport',
    reflexSimilarity: 'similarity',
    reflexTimeoutMs: 'timeoutMs',
    reflexCheckRate: 'checkRate',
    reflexProbes: 'probes',
    reflexEmbeddings: 'embeddings',
    reflexEmbeddingModel: 'embeddingModel',
  },
});

export type ShadowConfig = {
  /** Predict the next requests after a turn and precompute their answers with the background model. */
  enabled: boolean;
  ttlMs: number;
  concurrency: number;
  /** Model requests (a prediction, each step of a precomputation) per hour at most. */
  budgetPerHour: number;
  /**
   * Without a background model (providers.background), the requests the main model may spend
   * on predictions per hour; 0 (the default) keeps shadow workers off, as they cost more than they save.
   */
  mainModelBudgetPerHour: number;
  /** Cosine similarity of a request's word to a prediction's for the two to mean the same (shadow-match.ts). */
  similarity: number;
};

export const shadowSection = defineSection<'shadow', ShadowConfig>({
  name: 'shadow',
  defaults: {
    enabled: true,
    ttlMs: 5 * 60 * 1000,
    concurrency: 2,
    budgetPerHour: 60,
    mainModelBudgetPerHour: 0,
    similarity: 0.75,
  },
  schema: {
    enabled: { type: 'boolean' },
    ttlMs: { type: 'integer' },
    concurrency: { type: 'integer' },
    budgetPerHour: { type: 'integer' },
    mainModelBudgetPerHour: { type: 'integer' },
    similarity: { type: 'number' },
  },
  clamps: {
    ttlMs: [1000, 24 * 3600 * 1000],
    concurrency: [1, 16],
    budgetPerHour: [0, 100000],
    mainModelBudgetPerHour: [0, 100000],
    similarity: [0.5, 1],
  },
  env: { TITAN_SHADOW_WORKERS: 'enabled' },
  flat: {
    shadowWorkers: 'enabled',
    shadowTtlMs: 'ttlMs',
    shadowConcurrency: 'concurrency',
    shadowBudgetPerHour: 'budgetPerHour',
    shadowMainModelBudgetPerHour: 'mainModelBudgetPerHour',
    shadowSimilarity: 'similarity',
  },
});

/** What the reflex service reads: both sections. */
export type ReflexConfigs = { reflexes: ReflexesConfig; shadow: ShadowConfig };
