// `titan profile show|changes|revert ID|synthesize`: what Titan keeps about its owner in the managed
// sections of the workspace's profile files (USER.md, SOUL.md, IDENTITY.md, AGENTS.md, MEMORY.md),
// every change it made there, and taking any change back.
import type { Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import type { ProfileChange } from '../../agent/api.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';
import { when } from '../goal-views.ts';

type ProfileView = { files: Array<{ file: string; about: string; section: string | null; facts: string[] }>; synthesis: boolean };

const changeRows = (changes: ProfileChange[]) =>
  table(
    changes.map((c) => ({
      id: c.id,
      at: when(c.at),
      file: c.file,
      reason: c.reason,
      change: `${(c.before ?? '').split('\n').filter(Boolean).length} -> ${(c.after ?? '').split('\n').filter(Boolean).length} lines`,
    })),
    ['id', 'at', 'file', 'reason', 'change'],
  );

export async function profileCommand({ positionals, out }: Args): Promise<number> {
  const [verb, id] = positionals;
  return withClient(async (api) => {
    switch (verb) {
      case 'show': {
        const view = await api.request<ProfileView>('GET', '/api/profile');
        print(out, view, () => view.files.map((f) => `${f.file} (${f.about})\n${f.section ? f.section.replace(/^/gm, '  ') : '  (nothing yet)'}`).join('\n\n'));
        return 0;
      }
      case 'changes': {
        const { changes } = await api.request<{ changes: ProfileChange[] }>('GET', '/api/profile/changes');
        print(out, changes, () => (changes.length ? changeRows(changes) : 'no changes yet: Titan adds what you tell it about yourself after a conversation'));
        return 0;
      }
      case 'revert': {
        const { change } = await api.request<{ change: ProfileChange | null }>('POST', `/api/profile/changes/${encodeURIComponent(id)}/revert`);
        print(out, change, () =>
          change ? `${change.file}: change ${id} taken back (recorded as ${change.id})` : `nothing to take back: ${id} is already undone`,
        );
        return 0;
      }
      case 'synthesize': {
        const { changes } = await api.request<{ changes: ProfileChange[] }>('POST', '/api/profile/synthesize');
        print(out, changes, () => (changes.length ? changeRows(changes) : 'nothing new to add'));
        return 0;
      }
      default:
        throw new TitanError('TITAN_E_USAGE', 'titan profile show|changes|revert ID|synthesize');
    }
  });
}

export function register(program: Command): void {
  const profile = program.command('profile').description('what Titan keeps about you in the managed sections of your workspace files');
  examples(act(profile.command('show').description('the managed section of each profile file'), profileCommand, ['show']), ['titan profile show']);
  examples(act(profile.command('changes').description('every change Titan made to them, newest first'), profileCommand, ['changes']), [
    'titan profile changes --json',
  ]);
  examples(
    act(profile.command('revert').description('take a change back').argument('<id>', 'the change (titan profile changes)'), profileCommand, ['revert']),
    ['titan profile revert 6c1f…'],
  );
  examples(
    act(profile.command('synthesize').description('read the recent conversations now (a running Titan does it by itself)'), profileCommand, ['synthesize']),
    ['titan profile synthesize'],
  );
}
