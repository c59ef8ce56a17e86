// The channels `titan onboard` offers: the built-in channel components, known by the `channel`
// section of their manifests (title, secrets), read from their folders: no kernel is opened.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_ROOT } from '../../kernel/builtins.ts';
import type { ChannelSection } from '../../registry/slot-sections.ts';

export type OfferedChannel = { name: string; title: string /** The secrets it cannot run without, by variable name. */; secrets: string[] };

let offered: Promise<OfferedChannel[]> | undefined;

/** The built-in channels, in name order (read once). */
export function builtinChannels(): Promise<OfferedChannel[]> {
  offered ??= (async () => {
    const root = path.join(BUILTIN_ROOT, 'channels');
    const found: OfferedChannel[] = [];
    for (const entry of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const manifest = JSON.parse(await readFile(path.join(root, entry.name, 'component.json'), 'utf8').catch(() => '{}')) as {
        name?: string;
        channel?: ChannelSection;
      };
      if (!manifest.name || !manifest.channel) continue;
      const secrets = Object.values(manifest.channel.secrets)
        .filter((s) => s.required)
        .map((s) => s.env);
      found.push({ name: manifest.name, title: manifest.channel.title, secrets });
    }
    return found;
  })();
  return offered;
}
