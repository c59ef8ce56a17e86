// Runs a script in a Node whose module resolution cannot find the named packages, whatever this
// checkout has installed: what a production install that leaves them out looks like to the code.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './cli.ts';

const run = promisify(execFile);

/** Runs `body` (an ES module's text, written into `work`) with `packages` unresolvable; its stdout. */
export async function withoutPackages(work: string, packages: string[], body: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const hide = `
    import { registerHooks } from 'node:module';
    const hidden = ${JSON.stringify(packages)};
    registerHooks({
      resolve(specifier, context, next) {
        if (hidden.some((name) => specifier === name || specifier.startsWith(name + '/'))) {
          throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
        }
        return next(specifier, context);
      },
    });
  `;
  const file = path.join(work, `script-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, `${hide}\n${body}`);
  const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', file], { cwd: PROJECT_ROOT, env, maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

/** The module URL of a project file, quoted for a script's text. */
export const projectUrl = (relative: string) => JSON.stringify(new URL(relative, pathToFileURL(PROJECT_ROOT)).href);
