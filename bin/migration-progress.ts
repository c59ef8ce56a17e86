// Store migrations as people read them: one line per step, as the store component reports it.
import type { Kernel } from '../kernel/api.ts';

export function showMigrations(kernel: Kernel, say: (line: string) => void): void {
  kernel.bus.on('component.event', (event) => {
    if (event.kind !== 'progress' || !event.slot.startsWith('store/')) return;
    const step = JSON.parse(event.data) as { step: number; of: number; version: number; name: string };
    say(`migrating ${event.slot}: ${step.step}/${step.of} schema version ${step.version} (${step.name})`);
  });
}
