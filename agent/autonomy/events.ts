// What the control plane tells the world: one event per change of a goal, its plans, steps and
// records, on the kernel's bus (the Goals page streams them); the kernel learns the type here.

export type GoalEvent = {
  userId: string;
  goalId: string;
  type: 'goal.created' | 'goal.updated' | 'plan.created' | 'plan.updated' | 'step.updated' | 'execution' | 'policy' | 'verification' | 'incident';
  /** The record as it now is. */
  data: unknown;
  at: number;
};

declare module '../../kernel/events.ts' {
  interface KernelEvents {
    'goal.event': GoalEvent;
  }
}
