// The "codeGraph" section of the configuration: whether the workspace's code is indexed into a call
// graph (local parsing only, nothing leaves the machine), re-indexed as files change, and its bounds.
import { defineSection } from '../../../common/config-section.ts';

export type CodeGraphConfig = {
  /** Index the workspace's TypeScript, JavaScript, Python and Rust into the code graph at start. */
  enabled: boolean;
  /** Re-index a file when it changes (a recursive watch of the workspace). */
  watch: boolean;
  /** A file larger than this is skipped (with the reason in `titan code-graph status`). */
  maxFileBytes: number;
};

export const codeGraphSection = defineSection<'codeGraph', CodeGraphConfig>({
  name: 'codeGraph',
  defaults: { enabled: true, watch: true, maxFileBytes: 1024 * 1024 },
  schema: { enabled: { type: 'boolean' }, watch: { type: 'boolean' }, maxFileBytes: { type: 'integer' } },
  clamps: { maxFileBytes: [1024, 50_000_000] },
  env: { TITAN_CODE_GRAPH: 'enabled' },
});
