// Teardown in reverse order of set-up, as a test context does not: node:test runs a test's `after`
// hooks in the order they were added, so a kernel made first would close before the agent, routines
// or mesh made on it, which then stop against a closed store and a removed home.
import type { TestContext } from 'node:test';

const stacks = new WeakMap<TestContext, Array<() => unknown>>();

/** Runs `undo` when the test ends, before everything added to `t` through this earlier. */
export function onTeardown(t: TestContext, undo: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const undos: Array<() => unknown> = [];
    stack = undos;
    stacks.set(t, undos);
    t.after(async () => {
      const errors: unknown[] = [];
      while (undos.length) {
        try {
          await (undos.pop() as () => unknown)();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length) throw new AggregateError(errors, 'several teardown steps failed');
    });
  }
  stack.push(undo);
}
