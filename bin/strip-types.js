// Module hooks for a Titan installed under a node_modules folder (`npm install -g`, or as another
// project's dependency): Node strips TypeScript types only outside node_modules and refuses Titan's
// own .ts files there. These hooks strip them instead, for Titan's files alone (its dependencies load
// as Node loads them). Loaded by bin/titan.js in the main thread and by each worker thread Titan
// starts (common/installed-typescript.ts); plain JavaScript, as it is under node_modules too.
import { registerHooks, stripTypeScriptTypes } from 'node:module';

const ROOT = new URL('../', import.meta.url).href;
const DEPENDENCIES = new URL('../node_modules/', import.meta.url).href;

registerHooks({
  load(url, context, nextLoad) {
    if (!url.endsWith('.ts') || !url.startsWith(ROOT) || url.startsWith(DEPENDENCIES)) return nextLoad(url, context);
    const { source } = nextLoad(url, { ...context, format: 'module' });
    return { format: 'module', source: stripTypeScriptTypes(Buffer.from(source).toString('utf8')), shortCircuit: true };
  },
});
