// The core store component answers exactly the operations of the op table the kernel sends.
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { test } from 'node:test';
import { camel } from '../../kernel/kinds.ts';
import { STORE_OPS } from '../../kernel/store-client.ts';
import { witPackages } from '../../toolchain/wit-packages.ts';

/** Each titan:host interface ("titan:host/sql@0.1.0") with its functions' names as jco exposes them. */
async function hostFunctions(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const pkg of (await witPackages()).values()) {
    if (pkg.name !== 'titan:host') continue;
    for (const [, name, body] of pkg.text.matchAll(/^interface\s+([a-z][\w-]*)\s*\{([\s\S]*?)^\}/gm)) {
      const functions = [...body.matchAll(/^\s*([a-z][\w-]*)\s*:\s*(?:async\s+)?func\b/gm)].map((m) => camel(m[1]));
      found.set(`titan:host/${name}@${pkg.version}`, functions);
    }
  }
  return found;
}

// The component's modules import Titan's host interfaces, which exist only inside a component:
// here each is a module of functions that throw, so the dispatch table can be read in Node (no
// handler runs).
const host = await hostFunctions();
registerHooks({
  resolve(specifier, context, next) {
    return host.has(specifier) ? { url: `titan-host-stub:${specifier}`, shortCircuit: true } : next(specifier, context);
  },
  load(url, context, next) {
    if (!url.startsWith('titan-host-stub:')) return next(url, context);
    const name = url.slice('titan-host-stub:'.length);
    const source = host
      .get(name)!
      .map((fn) => `export function ${fn}() { throw new Error('${name} is not linked here'); }`)
      .join('\n');
    return { format: 'module', source, shortCircuit: true };
  },
});

test('the store component handles every op of the table, and no op outside it', async () => {
  const dispatch = new URL('../../components/stores/core/operations.js', import.meta.url).href;
  const { operations } = (await import(dispatch)) as { operations: Record<string, unknown> };
  const handled = Object.keys(operations).sort();
  const table: string[] = [...STORE_OPS].sort();
  assert.deepEqual(
    handled.filter((op) => !table.includes(op)),
    [],
    'handled by the component but not in the op table',
  );
  assert.deepEqual(
    table.filter((op) => !handled.includes(op)),
    [],
    'in the op table but not handled by the component',
  );
  for (const op of handled) assert.equal(typeof operations[op], 'function', `${op} has a handler`);
});
