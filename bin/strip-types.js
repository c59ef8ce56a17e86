// Module hooks for a Titan installed under a node_modules folder (`npm install -g`, or as another
// project's dependency): Node strips TypeScript types only outside node_modules and refuses Titan's
// own .ts files there. These hooks strip them instead, for Titan's files alone (its dependencies load
// as Node loads them). Loaded by bin/titan.js in the main thread and by each worker thread Titan
// starts (common/installed-typescript.ts); plain JavaScript, as it is under node_modules too.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

const ROOT = new URL('../', import.meta.url).href;
const DEPENDENCIES = new URL('../node_modules/', import.meta.url).href;
// Beside Node's compile cache (bin/titan.js sets the variable, workers inherit it): Node keeps the
// TypeScript it strips itself there, and loading its stripper costs each thread ~30 ms of CPU.
const CACHE = process.env.NODE_COMPILE_CACHE && path.join(process.env.NODE_COMPILE_CACHE, 'titan-stripped');

/** The source without its types: from the cache by the digest of Node's version and the source, else stripped and kept. */
function stripped(source) {
  if (!CACHE) return stripTypeScriptTypes(source);
  const file = path.join(CACHE, `${createHash('sha256').update(process.version).update(source).digest('hex').slice(0, 40)}.js`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // not stripped yet
  }
  const result = stripTypeScriptTypes(source);
  try {
    mkdirSync(CACHE, { recursive: true });
    const temp = `${file}.${process.pid}-${threadId}`;
    writeFileSync(temp, result);
    renameSync(temp, file); // whole or not at all: another thread may read it at once
  } catch {
    // an unwritable cache only costs the next start the stripping again
  }
  return result;
}

registerHooks({
  load(url, context, nextLoad) {
    if (!url.endsWith('.ts') || !url.startsWith(ROOT) || url.startsWith(DEPENDENCIES)) return nextLoad(url, context);
    const { source } = nextLoad(url, { ...context, format: 'module' });
    return { format: 'module', source: stripped(Buffer.from(source).toString('utf8')), shortCircuit: true };
  },
});
