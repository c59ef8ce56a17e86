// `titan pairing list|approve CODE|deny CODE`: who may talk to the agent through the messaging
// channels. Through the running kernel when there is one, otherwise on a kernel opened for this
// command alone (the decision is in the store either way; the channels read it per message).
import { TitanError } from '../../common/errors.ts';
import type { Pairing } from '../../agent/api.ts';
import { type Command, Option } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';
import { withClient } from '../client.ts';

const STATES = ['pending', 'approved', 'denied'];

const row = (p: Pairing) => ({
  code: p.code,
  channel: p.channel,
  sender: p.sender_id,
  name: p.sender_name ?? '',
  state: p.state,
  asked: new Date(Number(p.created_at)).toISOString(),
});

export async function pairingCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, code] = positionals;
  switch (verb) {
    case 'list': {
      const state = values.state as string | undefined;
      if (state && !STATES.includes(state)) throw new TitanError('TITAN_E_USAGE', `--state must be one of ${STATES.join(', ')}`);
      const { pairings } = await withClient((client) => client.request<{ pairings: Pairing[] }>('GET', `/api/pairings${state ? `?state=${state}` : ''}`), {
        storeOnly: true,
        fromStoreFile: true,
      });
      print(out, pairings, () =>
        pairings.length
          ? table(pairings.map(row), ['code', 'channel', 'sender', 'name', 'state', 'asked'])
          : 'no pairings yet: a sender gets a code when they first write to a channel',
      );
      return 0;
    }
    case 'approve':
    case 'deny': {
      if (!code) throw new TitanError('TITAN_E_USAGE', `titan pairing ${verb} CODE (the code the sender was shown; titan pairing list)`);
      const decision = verb === 'approve' ? 'approved' : 'denied';
      const pairing = await withClient((client) => client.request<Pairing>('POST', `/api/pairings/${encodeURIComponent(code)}/${verb}`), { storeOnly: true });
      const who = `${pairing.channel} sender ${pairing.sender_id}${pairing.sender_name ? ` (${pairing.sender_name})` : ''}`;
      print(out, pairing, () =>
        decision === 'approved' ? `approved ${who}: their next message reaches the agent` : `denied ${who}: their messages are ignored`,
      );
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', 'titan pairing list [--state S] | approve CODE | deny CODE');
  }
}

export function register(program: Command): void {
  const pairing = program.command('pairing').description('who may talk to the agent through the messaging channels');
  examples(
    act(
      pairing
        .command('list')
        .description('senders who wrote to a channel, with their pairing codes')
        .addOption(new Option('--state <state>', 'only pairings in this state').choices(STATES)),
      pairingCommand,
      ['list'],
    ),
    ['titan pairing list', 'titan pairing list --state pending --json'],
  );
  const code = (cmd: Command) => cmd.argument('<code>', 'the code the sender was shown');
  examples(act(code(pairing.command('approve').description('let a channel sender reach the agent')), pairingCommand, ['approve']), [
    'titan pairing approve K7Q2XW',
  ]);
  examples(act(code(pairing.command('deny').description("ignore a channel sender's messages")), pairingCommand, ['deny']), ['titan pairing deny K7Q2XW']);
}
