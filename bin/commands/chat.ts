// `titan chat`: a terminal chat with the running Titan (started for the chat when none runs):
// answers stream in, tool calls show as cards with their live output, approvals are answered
// with y/n, Ctrl-C interrupts a turn, reflex answers are marked. The prompt inside `titan start`
// stays for the one-process case.
import type { Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';

async function chatCommand({ values, out }: Args): Promise<number> {
  if (out.json)
    throw new TitanError('TITAN_E_USAGE', 'titan chat is a terminal view: it has no --json', {
      fix: 'use the REST API (/api/threads) or `titan start` for scripts',
    });
  if (!process.stdin.isTTY)
    throw new TitanError('TITAN_E_USAGE', 'titan chat needs a terminal to type in', { fix: 'run it in a terminal, or send messages with the REST API' });
  // ink and React load only for the chat itself.
  const [{ connect }, { runChat }] = await Promise.all([import('../chat/connection.ts'), import('../chat/load.ts').then(({ loadChatView }) => loadChatView())]);
  const connection = await connect({ start: values.start !== false });
  try {
    await runChat(connection, { thread: values.thread as string | undefined });
  } finally {
    await connection.close();
  }
  return 0;
}

export function register(program: Command): void {
  examples(
    act(
      program
        .command('chat')
        .description('chat with Titan in the terminal: streaming answers, tool cards, approvals, interrupts')
        .option('--thread <id>', 'continue this thread (titan chat, then /threads, lists them)')
        .option('--no-start', 'only attach: fail when no Titan runs instead of starting one'),
      chatCommand,
    ),
    ['titan chat', 'titan chat --thread 0b6c1f7e-...', 'titan chat --no-start'],
  );
}
