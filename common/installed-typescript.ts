// Titan installed under a node_modules folder (`npm install -g`, or as another project's dependency):
// Node strips TypeScript types only outside node_modules, so bin/strip-types.js does it for Titan's
// own files. The main thread loads it from bin/titan.js; a worker thread starts from no hooks of its
// own, so each Worker Titan starts on a .ts file takes these options, which load it first.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOOKS = new URL('../bin/strip-types.js', import.meta.url);

/** Whether this Titan runs from under a node_modules folder. */
export const UNDER_NODE_MODULES = fileURLToPath(HOOKS).split(path.sep).includes('node_modules');

/**
 * Options for a Worker whose entry is one of Titan's .ts files: none in a clone or a project install;
 * under node_modules, the hooks loaded first (and the stripper's experimental notice off, as the main
 * thread has it). A worker given execArgv inherits none of the parent's, which only V8 flags use here.
 */
export const typescriptWorker: { execArgv?: string[] } = UNDER_NODE_MODULES
  ? { execArgv: ['--disable-warning=ExperimentalWarning', '--import', HOOKS.href] }
  : {};
